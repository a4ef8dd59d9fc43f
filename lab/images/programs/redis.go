package programs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

const (
	redisDefaultVer = "7.4.2"
	redisUID        = 999
	redisCommandCPU = 20 * time.Microsecond
	// redisDumpMagic starts kubelab's dump.rdb: not Redis's RDB encoding,
	// but a file only this redis reads back.
	redisDumpMagic = "REDIS0011 kubelab\n"
)

// redis is one redis-server.
type redis struct {
	p       *sandbox.Proc
	version string
	port    int
	dir     string
	dbfile  string
	pass    string
	started time.Time
	outMu   sync.Mutex
	mu      sync.Mutex
	data    map[string]*entry
	held    int64
	oom     chan struct{}
	oomOnce sync.Once
	clients atomic.Int64
}

// logf is a redis log line: "1:M 07 Dec 2025 17:00:00.123 * text".
func (r *redis) logf(role, level, format string, args ...any) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	fmt.Fprintf(r.p.Stdout, "1:%s %s %s %s\n", role, time.Now().UTC().Format("02 Jan 2006 15:04:05.000"), level, fmt.Sprintf(format, args...))
}

// grow meters memory the data takes; over the container's limit the
// process is OOM-killed. Called with r.mu held.
func (r *redis) grow(n int64) {
	r.held += n
	if err := r.p.Usage.Grow(n); errors.Is(err, sandbox.ErrOOM) {
		r.oomOnce.Do(func() { close(r.oom) })
	}
}

// RedisServer is redis-server [config file] [--option value ...]: the
// in-memory store on :6379 (strings, lists, expiry, INFO, AUTH with
// requirepass), saving to /data/dump.rdb when it shuts down.
func RedisServer(ctx context.Context, p *sandbox.Proc) int {
	r := &redis{p: p, version: orDefault(p.Getenv("REDIS_VERSION"), redisDefaultVer), port: 6379, dir: p.Dir, dbfile: "dump.rdb",
		data: map[string]*entry{}, oom: make(chan struct{}), started: time.Now()}
	args := p.Args[1:]
	configFile := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		configFile, args = args[0], args[1:]
	}
	opts := map[string]string{}
	if configFile != "" {
		data, err := readFile(p.FS, configFile)
		if err != nil {
			fmt.Fprintf(p.Stderr, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\nFatal error, can't open config file '%s': %s\n", r.version, configFile, strerror(err))
			return 1
		}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 1 && !strings.HasPrefix(f[0], "#") {
				opts[strings.ToLower(f[0])] = strings.Trim(strings.Join(f[1:], " "), `"`)
			}
		}
	}
	for i := 0; i < len(args); i++ {
		if k, ok := strings.CutPrefix(args[i], "--"); ok {
			v := ""
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				v, i = args[i+1], i+1
			}
			opts[strings.ToLower(k)] = v
		}
	}
	if v, ok := opts["port"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 65535 {
			fmt.Fprintf(p.Stderr, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n>>> 'port \"%s\"'\nargument couldn't be parsed into an integer\n", r.version, v)
			return 1
		}
		r.port = n
	}
	if v, ok := opts["dir"]; ok {
		r.dir = p.FS.Abs(p.Dir, v)
	}
	if v, ok := opts["dbfilename"]; ok {
		r.dbfile = v
	}
	r.pass = opts["requirepass"]
	r.logf("C", "#", "WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.")
	r.logf("C", "*", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
	r.logf("C", "*", "Redis version=%s, bits=64, commit=00000000, modified=0, pid=1, just started", r.version)
	if configFile == "" {
		r.logf("C", "#", "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf")
	} else {
		r.logf("C", "*", "Configuration loaded")
	}
	r.logf("M", "*", "monotonic clock: POSIX clock_gettime")
	ln, err := p.Net.Listen("tcp", ":"+strconv.Itoa(r.port))
	if err != nil {
		r.logf("M", "#", "Warning: Could not create server TCP listening socket *:%d: bind: %s", r.port, strerror(err))
		r.logf("M", "#", "Failed listening on port %d (tcp), aborting.", r.port)
		return 1
	}
	defer ln.Close()
	r.logf("M", "*", "Running mode=standalone, port=%d.", r.port)
	r.logf("M", "*", "Server initialized")
	r.load()
	r.logf("M", "*", "Ready to accept connections tcp")
	shutdown := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(shutdown) }) }
	defer stop() // every connection closes with the server
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serveConn(c, stop, shutdown)
		}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintf(p.Stdout, "1:signal-handler (%d) Received SIGTERM scheduling shutdown...\n", time.Now().Unix())
	case <-shutdown:
	case <-r.oom:
		_ = ln.Close()
		return 137
	}
	_ = ln.Close()
	r.logf("M", "*", "User requested shutdown...")
	r.logf("M", "*", "Saving the final RDB snapshot before exiting.")
	r.mu.Lock()
	err = r.save()
	r.mu.Unlock()
	if err != nil {
		r.logf("M", "#", "Failed opening the temp RDB file temp-1.rdb (in server root dir %s) for saving: %s", r.dir, strerror(err))
		r.logf("M", "#", "Error trying to save the DB, can't exit.")
		r.logf("M", "#", "Errors trying to shut down the server. Check the logs for more information.")
		return 137 // it keeps running until the kubelet's SIGKILL ends it
	}
	r.logf("M", "*", "DB saved on disk")
	r.logf("M", "#", "Redis is now ready to exit, bye bye...")
	return 0
}

func (r *redis) serveConn(c net.Conn, stop func(), shutdown <-chan struct{}) {
	defer c.Close()
	r.clients.Add(1)
	defer r.clients.Add(-1)
	go func() { <-shutdown; _ = c.Close() }()
	in := bufio.NewReader(c)
	authed := r.pass == ""
	for {
		args, err := readCommand(in)
		if err != nil {
			return
		}
		if len(args) == 0 {
			continue
		}
		r.p.Usage.CPU(redisCommandCPU)
		name := strings.ToLower(args[0])
		var rep reply
		switch {
		case name == "auth":
			switch {
			case r.pass == "":
				rep = errReply("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			case args[len(args)-1] == r.pass:
				authed, rep = true, status("OK")
			default:
				rep = errReply("WRONGPASS invalid username-password pair or user is disabled.")
			}
		case !authed && name != "quit" && name != "hello":
			rep = errReply("NOAUTH Authentication required.")
		case name == "quit":
			_ = status("OK").write(c)
			return
		case name == "shutdown":
			stop()
			return
		default:
			r.mu.Lock()
			rep = r.command(args)
			r.mu.Unlock()
		}
		if rep.write(c) != nil {
			return
		}
	}
}

// save writes the data to dir/dbfile. Called with r.mu held.
func (r *redis) save() error {
	data, err := json.Marshal(r.data)
	if err != nil {
		return err
	}
	return writeFile(r.p.FS, path.Join(r.dir, r.dbfile), append([]byte(redisDumpMagic), data...), 0o600)
}

// load reads what a previous run saved (a volume at /data).
func (r *redis) load() {
	data, err := readFile(r.p.FS, path.Join(r.dir, r.dbfile))
	if err != nil || !strings.HasPrefix(string(data), redisDumpMagic) {
		return
	}
	began := time.Now()
	var saved map[string]*entry
	if json.Unmarshal(data[len(redisDumpMagic):], &saved) != nil {
		return
	}
	r.mu.Lock()
	for k, e := range saved {
		r.put(k, e)
	}
	r.mu.Unlock()
	r.logf("M", "*", "Loading RDB produced by version %s", r.version)
	r.logf("M", "*", "Done loading RDB, keys loaded: %d, keys expired: 0.", len(saved))
	r.logf("M", "*", "DB loaded from disk: %.3f seconds", time.Since(began).Seconds())
}

// redisEntrypoint is the official redis image's docker-entrypoint.sh:
// options alone mean redis-server; as root, redis-server runs as user
// redis (999) (gosu), then its arguments are exec'd.
func redisEntrypoint(ctx context.Context, p *sandbox.Proc) int {
	args := p.Args[1:]
	if len(args) > 0 && (strings.HasPrefix(args[0], "-") || strings.HasSuffix(args[0], ".conf")) {
		args = append([]string{"redis-server"}, args...)
	}
	if len(args) > 0 && args[0] == "redis-server" && p.UID == 0 {
		child := *p
		child.UID, child.GID = redisUID, redisUID
		p = &child
	}
	return exec(ctx, p, p.Args[0], args)
}

// RedisCLI is redis-cli [-h host] [-p port] [-a password] [command ...]:
// it prints the reply as redis-cli does when its output is not a
// terminal (kubectl exec without -t); without a command it runs each line
// of its input.
func RedisCLI(ctx context.Context, p *sandbox.Proc) int {
	host, port, pass := "127.0.0.1", "6379", ""
	args := p.Args[1:]
	for len(args) > 1 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-h":
			host = args[1]
		case "-p":
			port = args[1]
		case "-a":
			pass = args[1]
		case "-n":
		default:
			fmt.Fprintf(p.Stderr, "Unrecognized option or bad number of args for: '%s'\n", args[0])
			return 1
		}
		args = args[2:]
	}
	dial, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := p.Net.Dial(dial, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		fmt.Fprintf(p.Stderr, "Could not connect to Redis at %s:%s: %s\n", host, port, strerror(err))
		return 1
	}
	defer c.Close()
	in := bufio.NewReader(c)
	send := func(cmd []string) (reply, error) {
		if _, err := c.Write([]byte(encodeCommand(cmd))); err != nil {
			return reply{}, err
		}
		return readReply(in)
	}
	if pass != "" {
		fmt.Fprintln(p.Stderr, "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.")
		if _, err := send([]string{"AUTH", pass}); err != nil {
			return 1
		}
	}
	var commands [][]string
	if len(args) > 0 {
		commands = append(commands, args)
	} else {
		sc := bufio.NewScanner(p.Stdin)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) > 0 {
				commands = append(commands, f)
			}
		}
	}
	code := 0
	for _, cmd := range commands {
		rep, err := send(cmd)
		if err != nil {
			fmt.Fprintf(p.Stderr, "Error: %v\n", err)
			return 1
		}
		fmt.Fprint(p.Stdout, rawReply(rep))
		if rep.isError() {
			code = 1
		}
	}
	return code
}

// rawReply is a reply as redis-cli prints it off a terminal.
func rawReply(r reply) string {
	switch r.kind {
	case ':':
		return strconv.FormatInt(r.num, 10) + "\n"
	case '*':
		var b strings.Builder
		for _, it := range r.items {
			b.WriteString(rawReply(it))
		}
		return b.String()
	}
	return r.str + "\n"
}

// The official redis image: root runs docker-entrypoint.sh, which runs
// redis-server as redis (999) in /data; port 6379.
func init() {
	progs := map[string]sandbox.Program{
		"/usr/local/bin/docker-entrypoint.sh": redisEntrypoint,
		"/usr/local/bin/redis-server":         RedisServer,
		"/usr/local/bin/redis-cli":            RedisCLI,
	}
	l := newLayer()
	l.file("etc/passwd", debianPasswd+"redis:x:999:999::/home/redis:/bin/sh\n")
	l.file("etc/group", debianGroup+"redis:x:999:\n")
	l.dir("data", 0o755)
	l.programs(progs)
	register(&Image{
		Name:       "redis",
		Entrypoint: []string{"docker-entrypoint.sh"},
		Cmd:        []string{"redis-server"},
		WorkingDir: "/data",
		Env:        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "GOSU_VERSION=1.17", "REDIS_VERSION=" + redisDefaultVer},
		VersionEnv: "REDIS_VERSION",
		Ports:      []int{6379},
		StopSignal: "SIGTERM",
		Programs:   progs,
		Owned:      map[string]string{"/data": "999:999"},
		files:      l.fs,
	})
}
