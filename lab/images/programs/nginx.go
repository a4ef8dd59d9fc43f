package programs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// The official nginx image's facts the program shows.
const (
	nginxConf          = "/etc/nginx/nginx.conf"
	nginxDefaultPID    = "/run/nginx.pid"
	nginxDefaultVer    = "1.27.5"
	nginxMasterPID     = 1
	nginxWorkerPID     = 29
	nginxSignalSuffix  = ".kubelab-signal" // how `nginx -s` reaches the master in the sandbox
	nginxBindTries     = 5
	nginxBindRetryWait = 500 * time.Millisecond
)

// nginxTempDirs are the paths the master makes at start-up; the official
// image's /var/cache/nginx is root's, so a non-root master fails here.
var nginxTempDirs = []string{"client_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"}

// Nginx is the official image's nginx: `nginx -g "daemon off;"` serves
// the configuration in /etc/nginx until it is stopped; -v, -V, -t and -s
// (reload, stop, quit, reopen) are the commands of the real one.
func Nginx(ctx context.Context, p *sandbox.Proc) int {
	n := &nginx{p: p, version: orDefault(p.Getenv("NGINX_VERSION"), nginxDefaultVer), conf: nginxConf}
	args := p.Args[1:]
	var test, testDump bool
	var signal string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-v":
			fmt.Fprintf(p.Stderr, "nginx version: nginx/%s\n", n.version)
			return 0
		case "-V":
			fmt.Fprintf(p.Stderr, "nginx version: nginx/%s\nbuilt by gcc 12.2.0 (Debian 12.2.0-14)\nbuilt with OpenSSL 3.0.15 3 Sep 2024\nTLS SNI support enabled\nconfigure arguments: --prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --conf-path=/etc/nginx/nginx.conf --error-log-path=/var/log/nginx/error.log --http-log-path=/var/log/nginx/access.log --pid-path=/run/nginx.pid --user=nginx --group=nginx\n", n.version)
			return 0
		case "-t":
			test = true
		case "-T":
			test, testDump = true, true
		case "-q":
		case "-s", "-c", "-g", "-p", "-e":
			if i+1 >= len(args) {
				fmt.Fprintf(p.Stderr, "nginx: option \"%s\" requires %s\n", args[i], map[string]string{"-s": "signal name", "-c": "file name", "-g": "parameter", "-p": "directory name", "-e": "file name"}[args[i]])
				return 1
			}
			switch args[i] {
			case "-s":
				signal = args[i+1]
			case "-c":
				n.conf = p.FS.Abs(p.Dir, args[i+1])
			}
			i++
		default:
			fmt.Fprintf(p.Stderr, "nginx: invalid option: \"%s\"\n", strings.TrimPrefix(args[i], "-"))
			return 1
		}
	}
	switch {
	case signal != "":
		return n.signal(signal)
	case test:
		return n.test(testDump)
	}
	return n.run(ctx)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// nginx is one nginx process.
type nginx struct {
	p       *sandbox.Proc
	version string
	conf    string
	outMu   sync.Mutex
}

// logf writes an error log line (error_log is /dev/stderr in the image).
func (n *nginx) logf(level string, pid int, format string, args ...any) {
	n.outMu.Lock()
	defer n.outMu.Unlock()
	fmt.Fprintf(n.p.Stderr, "%s [%s] %d#%d: %s\n", time.Now().UTC().Format("2006/01/02 15:04:05"), level, pid, pid, fmt.Sprintf(format, args...))
}

// startupf is a start-up message: in the error log and on stderr.
func (n *nginx) startupf(level, format string, args ...any) {
	n.logf(level, nginxMasterPID, format, args...)
	n.outMu.Lock()
	defer n.outMu.Unlock()
	fmt.Fprintf(n.p.Stderr, "nginx: [%s] %s\n", level, fmt.Sprintf(format, args...))
}

// load reads and checks the configuration.
func (n *nginx) load(ctx context.Context) (*nginxConfig, error) {
	dirs, err := parseConf(procFS{n.p.FS}, n.conf)
	if err != nil {
		return nil, err
	}
	cfg, err := buildConfig(dirs)
	if err != nil {
		return nil, err
	}
	if err := cfg.resolve(ctx, n.p.Net); err != nil {
		return nil, err
	}
	return cfg, nil
}

func (n *nginx) test(dump bool) int {
	cfg, err := n.load(context.Background())
	if err != nil {
		fmt.Fprintf(n.p.Stderr, "nginx: [emerg] %s\nnginx: configuration file %s test failed\n", err, n.conf)
		return 1
	}
	if n.p.UID != 0 && cfg.user != "" {
		fmt.Fprintf(n.p.Stderr, "nginx: [warn] the \"user\" directive makes sense only if the master process runs with super-user privileges, ignored in %s\n", cfg.userAt)
	}
	fmt.Fprintf(n.p.Stderr, "nginx: the configuration file %s syntax is ok\nnginx: configuration file %s test is successful\n", n.conf, n.conf)
	if dump {
		data, _ := readFile(n.p.FS, n.conf)
		fmt.Fprintf(n.p.Stdout, "# configuration file %s:\n%s\n", n.conf, data)
	}
	return 0
}

// signal sends a signal to the running master (-s): in the sandbox
// through a file beside the pid file, which the master watches.
func (n *nginx) signal(name string) int {
	switch name {
	case "stop", "quit", "reopen", "reload":
	default:
		fmt.Fprintf(n.p.Stderr, "nginx: invalid option: \"-s %s\"\n", name)
		return 1
	}
	pidFile := nginxDefaultPID
	if dirs, err := parseConf(procFS{n.p.FS}, n.conf); err == nil {
		if cfg, err := buildConfig(dirs); err == nil {
			pidFile = cfg.pid
		}
	}
	pid, err := readFile(n.p.FS, pidFile)
	if err != nil {
		n.startupf("error", "open() %q failed (%s)", pidFile, errnoText(err))
		return 1
	}
	if strings.TrimSpace(string(pid)) == "" {
		n.startupf("error", "invalid PID number \"\" in %q", pidFile)
		return 1
	}
	if err := writeFile(n.p.FS, pidFile+nginxSignalSuffix, []byte(name), 0o644); err != nil {
		n.startupf("alert", "kill(%s, 1) failed (1: Operation not permitted)", strings.TrimSpace(string(pid)))
		return 1
	}
	return 0
}

// run is `nginx -g "daemon off;"`: the master and its worker.
func (n *nginx) run(ctx context.Context) int {
	cfg, err := n.load(ctx)
	if err != nil {
		n.startupf("emerg", "%s", err)
		return 1
	}
	if n.p.UID != 0 && cfg.user != "" {
		n.startupf("warn", "the \"user\" directive makes sense only if the master process runs with super-user privileges, ignored in %s", cfg.userAt)
	}
	for _, d := range nginxTempDirs {
		dir := path.Join("/var/cache/nginx", d)
		if err := n.p.FS.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			n.startupf("emerg", "mkdir() %q failed (%s)", dir, errnoText(err))
			return 1
		}
	}
	srv, err := n.bind(ctx, cfg)
	if err != nil {
		return 1
	}
	if err := writeFile(n.p.FS, cfg.pid, []byte(fmt.Sprintf("%d\n", nginxMasterPID)), 0o644); err != nil {
		n.startupf("emerg", "open() %q failed (%s)", cfg.pid, errnoText(err))
		srv.close()
		return 1
	}
	n.logf("notice", nginxMasterPID, "using the \"epoll\" event method")
	n.logf("notice", nginxMasterPID, "nginx/%s", n.version)
	n.logf("notice", nginxMasterPID, "built by gcc 12.2.0 (Debian 12.2.0-14) ")
	n.logf("notice", nginxMasterPID, "OS: Linux 6.12.48")
	n.logf("notice", nginxMasterPID, "getrlimit(RLIMIT_NOFILE): 1048576:1048576")
	n.logf("notice", nginxMasterPID, "start worker processes")
	worker := nginxWorkerPID
	n.logf("notice", nginxMasterPID, "start worker process %d", worker)
	srv.serve()
	defer func() { _ = n.p.FS.Remove(cfg.pid) }()
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			// The image's STOPSIGNAL is SIGQUIT: a graceful shutdown.
			n.quit(srv, worker, "signal 3 (SIGQUIT) received, shutting down")
			return 0
		case <-tick.C:
		}
		sig, err := readFile(n.p.FS, cfg.pid+nginxSignalSuffix)
		if err != nil {
			continue
		}
		_ = n.p.FS.Remove(cfg.pid + nginxSignalSuffix)
		switch string(sig) {
		case "stop":
			n.quit(srv, worker, "signal 15 (SIGTERM) received from 99, exiting")
			return 0
		case "quit":
			n.quit(srv, worker, "signal 3 (SIGQUIT) received from 99, shutting down")
			return 0
		case "reopen":
			n.logf("notice", nginxMasterPID, "signal 10 (SIGUSR1) received from 99, reopening logs")
			n.logf("notice", nginxMasterPID, "reopening logs")
		case "reload":
			n.logf("notice", nginxMasterPID, "signal 1 (SIGHUP) received from 99, reconfiguring")
			n.logf("notice", nginxMasterPID, "reconfiguring")
			next, err := n.load(ctx)
			if err != nil {
				n.logf("emerg", nginxMasterPID, "%s", err)
				continue
			}
			srv.update(next)
			if bindErr := srv.rebind(next); bindErr != nil {
				n.logf("emerg", nginxMasterPID, "%s", bindErr)
			}
			n.logf("notice", nginxMasterPID, "using the \"epoll\" event method")
			n.logf("notice", nginxMasterPID, "start worker processes")
			n.logf("notice", nginxMasterPID, "start worker process %d", worker+1)
			n.logf("notice", worker, "gracefully shutting down")
			n.logf("notice", worker, "exiting")
			n.logf("notice", worker, "exit")
			n.logf("notice", nginxMasterPID, "signal 17 (SIGCHLD) received from %d", worker)
			n.logf("notice", nginxMasterPID, "worker process %d exited with code 0", worker)
			worker++
		}
	}
}

// quit shuts the servers down as the master and its worker say it.
func (n *nginx) quit(srv *nginxServer, worker int, why string) {
	n.logf("notice", nginxMasterPID, "%s", why)
	srv.shutdown()
	n.logf("notice", worker, "gracefully shutting down")
	n.logf("notice", worker, "exiting")
	n.logf("notice", worker, "exit")
	n.logf("notice", nginxMasterPID, "signal 17 (SIGCHLD) received from %d", worker)
	n.logf("notice", nginxMasterPID, "worker process %d exited with code 0", worker)
	n.logf("notice", nginxMasterPID, "exit")
}

var _ io.Writer = (*lockedWriter)(nil)

// lockedWriter serialises lines to one stream.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
