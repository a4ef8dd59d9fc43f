package tools

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// nc is busybox's netcat: connect (-z to probe, -w to time out), or
// listen (-l -p PORT, -k to keep listening, -e PROG to serve).
func nc(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "lkp:w:zvne:s:uiW:", nil, false)
	if !ok {
		return c.usage()
	}
	wait := time.Duration(0)
	if v, ok := f.val('w'); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.errf("invalid number '%s'", v)
			return 1
		}
		wait = time.Duration(n) * time.Second
	}
	if f.has('u') {
		c.errf("UDP is not supported here")
		return 1
	}
	if f.has('l') {
		port, _ := f.val('p')
		if port == "" && len(ops) > 0 {
			port = ops[len(ops)-1]
		}
		if port == "" {
			return c.usage()
		}
		return c.ncListen(port, f.has('k'), f.vals['e'], f.has('v'))
	}
	if len(ops) < 2 {
		return c.usage()
	}
	host := ops[0]
	ports := ops[1:]
	d := &dialer{c: c, quiet: true, host: host}
	ctx := c.ctx
	if wait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}
	ip, err := d.resolve(ctx, host)
	if err != nil {
		c.errf("bad address '%s'", host)
		return 1
	}
	status := 0
	for _, port := range expandPorts(ports) {
		conn, err := d.dial(ctx, "tcp", net.JoinHostPort(ip, port))
		if err != nil {
			if f.has('v') || !f.has('z') {
				c.errf("%s (%s:%s): Connection refused", host, ip, port)
			}
			status = 1
			continue
		}
		if f.has('v') {
			fmt.Fprintf(c.p.Stderr, "%s (%s:%s) open\n", host, ip, port)
		}
		if f.has('z') {
			conn.Close()
			continue
		}
		c.pump(conn, c.p.Stdin, c.p.Stdout, wait)
	}
	return status
}

// expandPorts reads nc -z's ports: 80 8080 or 8000-8010.
func expandPorts(ports []string) []string {
	var out []string
	for _, p := range ports {
		lo, hi, isRange := strings.Cut(p, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if !isRange || errA != nil || errB != nil || b < a || b-a > 1024 {
			out = append(out, p)
			continue
		}
		for n := a; n <= b; n++ {
			out = append(out, strconv.Itoa(n))
		}
	}
	return out
}

// pump copies in to conn and conn to out until the peer closes (or, with
// a wait, the connection is idle that long). The end of in does not close
// the connection, as busybox's nc does not: `echo x | nc host port` waits
// for the peer (use -w).
func (c *cmd) pump(conn net.Conn, in io.Reader, out io.Writer, wait time.Duration) {
	c.out.Flush()
	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done); conn.Close() }) }
	defer stop()
	go io.Copy(conn, ctxReader{c.ctx, in})
	go func() {
		buf := make([]byte, 32<<10)
		for {
			if wait > 0 {
				conn.SetReadDeadline(time.Now().Add(wait))
			}
			n, err := conn.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				stop()
				return
			}
		}
	}()
	select {
	case <-done:
	case <-c.ctx.Done():
	}
}

func (c *cmd) ncListen(port string, keep bool, exec []string, verbose bool) int {
	if c.p.Net == nil {
		c.errf("bind: %s", sandbox.Strerror(syscall.EADDRINUSE))
		return 1
	}
	l, err := c.p.Net.Listen("tcp", ":"+port)
	if err != nil {
		c.errf("bind: %s", "Address in use")
		return 1
	}
	defer l.Close()
	stop := context.AfterFunc(c.ctx, func() { l.Close() })
	defer stop()
	if verbose {
		fmt.Fprintf(c.p.Stderr, "listening on [::]:%s ...\n", port)
	}
	for {
		conn, err := l.Accept()
		if err != nil {
			if c.stopped() {
				return 128 + 15
			}
			return 1
		}
		if verbose {
			fmt.Fprintf(c.p.Stderr, "connect to [::]:%s from %s\n", port, conn.RemoteAddr())
		}
		serve := func() {
			if len(exec) > 0 {
				argv := strings.Fields(exec[0])
				c.p.Start(c.ctx, &sandbox.Proc{Args: argv, Env: c.p.Env, Dir: c.p.Dir,
					Stdin: conn, Stdout: conn, Stderr: c.p.Stderr})
				conn.Close()
				return
			}
			c.pump(conn, c.p.Stdin, c.p.Stdout, 0)
		}
		if !keep {
			serve()
			return 0
		}
		go serve()
	}
}

// nslookup resolves a name as the pod's resolver does, and prints it as
// busybox does, with the server of /etc/resolv.conf.
func nslookup(c *cmd, args []string) int {
	var names []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			names = append(names, a)
		}
	}
	if len(names) == 0 {
		return c.usage()
	}
	server, search, ndots := resolvConf(c)
	if len(names) > 1 {
		server = names[1]
	}
	fmt.Fprintf(c.out, "Server:\t\t%s\nAddress:\t%s:53\n\n", server, server)
	name := strings.TrimSuffix(names[0], ".")
	if net.ParseIP(name) != nil {
		fmt.Fprintf(c.out, "** server can't find %s.in-addr.arpa: NXDOMAIN\n\n", reverse(name))
		return 1
	}
	if c.p.Net == nil {
		fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", name)
		return 1
	}
	var tries []string
	if !strings.HasSuffix(names[0], ".") && strings.Count(name, ".") < ndots {
		for _, s := range search {
			tries = append(tries, name+"."+s)
		}
	}
	tries = append(tries, name)
	for _, fqdn := range tries {
		addrs, err := c.p.Net.LookupHost(c.ctx, fqdn+".")
		if err != nil || len(addrs) == 0 {
			continue
		}
		for _, a := range addrs {
			fmt.Fprintf(c.out, "Name:\t%s\nAddress: %s\n", fqdn, a)
		}
		c.out.WriteString("\n")
		return 0
	}
	fmt.Fprintf(c.out, "** server can't find %s: NXDOMAIN\n\n", name)
	return 1
}

func reverse(ip string) string {
	parts := strings.Split(ip, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".")
}

// resolvConf reads the container's /etc/resolv.conf: its first server,
// search list and ndots.
func resolvConf(c *cmd) (server string, search []string, ndots int) {
	server, ndots = "10.96.0.10", 1
	b, err := c.readAll("/etc/resolv.conf")
	if err != nil {
		return server, nil, ndots
	}
	first := true
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "nameserver" && first:
			server, first = f[1], false
		case len(f) >= 2 && f[0] == "search":
			search = f[1:]
		case len(f) >= 2 && f[0] == "options":
			for _, o := range f[1:] {
				if v, ok := strings.CutPrefix(o, "ndots:"); ok {
					ndots, _ = strconv.Atoi(v)
				}
			}
		}
	}
	return server, search, ndots
}

// ping needs a raw socket, which a container's process does not get here.
func ping(c *cmd, args []string) int {
	if len(args) == 0 {
		return c.usage()
	}
	c.errf("permission denied (are you root?)")
	return 1
}
