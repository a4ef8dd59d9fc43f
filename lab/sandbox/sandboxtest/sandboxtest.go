package sandboxtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/internal/interp"
)

// Image is a small busybox image's files (without its programs, which a
// container's Programs add): users, groups, the usual directories.
func Image() fstest.MapFS {
	dir := func(mode fs.FileMode) *fstest.MapFile { return &fstest.MapFile{Mode: fs.ModeDir | mode} }
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
	return fstest.MapFS{
		"bin": dir(0o755), "dev": dir(0o755), "etc": dir(0o755), "home": dir(0o755), "proc": dir(0o555),
		"root": dir(0o700), "sys": dir(0o555), "tmp": dir(fs.ModeSticky | 0o777), "usr": dir(0o755), "usr/sbin": dir(0o755),
		"var": dir(0o755), "var/spool": dir(0o755), "var/spool/mail": dir(0o755), "var/www": dir(0o755),
		"etc/passwd": file("root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\n" +
			"bin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\n" +
			"mail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\n" +
			"operator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n"),
		"etc/group": file("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\n" +
			"lp:x:7:\nmail:x:8:\nkmem:x:9:\nwheel:x:10:root\ncdrom:x:11:\ndialout:x:18:\nfloppy:x:19:\n" +
			"video:x:28:\naudio:x:29:\ntape:x:32:\nwww-data:x:33:\noperator:x:37:\nstaff:x:50:\nusers:x:100:\nnogroup:x:65534:\n"),
		"etc/shadow":    &fstest.MapFile{Data: []byte("root:*:10933:0:99999:7:::\n"), Mode: 0o600},
		"etc/localtime": file("UTC0\n"),
	}
}

// Net is a pod network in memory: listeners of the pod, and names that
// resolve. Dialing anything else is refused; it never reaches the host.
type Net struct {
	mu        sync.Mutex
	listeners map[string]*listener
	remotes   map[string]*listener
	hosts     map[string][]string
	// Remote, where set, answers dials to addresses outside the pod
	// (another pod, a Service).
	Remote func(ctx context.Context, address string) (net.Conn, error)
}

// NewNet makes a pod network whose names resolve as hosts says
// ("kubernetes.default.svc.cluster.local": {"10.96.0.1"}).
func NewNet(hosts map[string][]string) *Net {
	return &Net{listeners: map[string]*listener{}, remotes: map[string]*listener{}, hosts: hosts}
}

var _ sandbox.Net = (*Net)(nil)

func port(address string) (string, error) {
	_, p, err := net.SplitHostPort(address)
	return p, err
}

// Listen listens on a port of the pod.
func (n *Net) Listen(network, address string) (net.Listener, error) {
	p, err := port(address)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, taken := n.listeners[p]; taken {
		return nil, &net.OpError{Op: "listen", Net: network, Err: fmt.Errorf("bind: address already in use")}
	}
	l := &listener{n: n, port: p, conns: make(chan net.Conn), done: make(chan struct{})}
	n.listeners[p] = l
	return l, nil
}

// Dial connects to a listener of the pod (localhost, the pod's own
// address) or to Remote.
func (n *Net) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	local := host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "0.0.0.0"
	n.mu.Lock()
	l := n.listeners[p]
	remote := n.remotes[address]
	n.mu.Unlock()
	if remote != nil {
		client, server := halfPipe()
		select {
		case remote.conns <- server:
			return client, nil
		case <-remote.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if local && l != nil {
		client, server := halfPipe()
		select {
		case l.conns <- server:
			return client, nil
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if !local && n.Remote != nil {
		return n.Remote(ctx, address)
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
}

// LookupHost resolves a name from the hosts given to NewNet.
func (n *Net) LookupHost(ctx context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	name := strings.TrimSuffix(host, ".")
	tries := []string{name}
	if !strings.HasSuffix(host, ".") {
		tries = append(tries, name+".default.svc.cluster.local", name+".svc.cluster.local", name+".cluster.local")
	}
	for _, n2 := range tries {
		if addrs, ok := n.hosts[n2]; ok {
			return addrs, nil
		}
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

type listener struct {
	n     *Net
	port  string
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		l.n.mu.Lock()
		delete(l.n.listeners, l.port)
		l.n.mu.Unlock()
	})
	return nil
}

func (l *listener) Addr() net.Addr {
	var p int
	fmt.Sscan(l.port, &p)
	return &net.TCPAddr{IP: net.IPv4zero, Port: p}
}

// Usage counts the memory a container's programs say they hold, with a
// limit (0: none).
type Usage struct {
	Limit int64
	used  atomic.Int64
	cpu   atomic.Int64
}

// Grow implements sandbox.Usage.
func (u *Usage) Grow(n int64) error {
	if v := u.used.Add(n); u.Limit > 0 && v > u.Limit {
		return sandbox.ErrOOM
	}
	return nil
}

// CPU implements sandbox.Usage.
func (u *Usage) CPU(d time.Duration) { u.cpu.Add(int64(d)) }

// Used is the memory held now.
func (u *Usage) Used() int64 { return u.used.Load() }

// ErrRefused is what Dial to an unknown address returns.
var ErrRefused = errors.New("connection refused")

// Serve answers the dials to address outside the pod (another pod, a
// Service: "10.96.0.20:80") with h, over in-memory connections, until the
// test ends.
func (n *Net) Serve(t testing.TB, address string, h http.Handler) {
	l := &listener{n: n, conns: make(chan net.Conn), done: make(chan struct{})}
	n.mu.Lock()
	n.remotes[address] = l
	n.mu.Unlock()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// halfPipe is an in-memory connection with buffers, as a socket's, whose
// ends can close their writing half (CloseWrite), as TCP's: nc sends its
// input, then waits for the reply.
func halfPipe() (net.Conn, net.Conn) {
	ar, bw := interp.NewPipe()
	br, aw := interp.NewPipe()
	a := &halfConn{r: ar, w: aw, local: &net.TCPAddr{IP: net.IPv4(10, 244, 0, 7), Port: 40000}, remote: &net.TCPAddr{IP: net.IPv4(10, 244, 0, 8), Port: 80}}
	b := &halfConn{r: br, w: bw, local: a.remote, remote: a.local}
	return a, b
}

type halfConn struct {
	r             *interp.PipeReader
	w             *interp.PipeWriter
	local, remote net.Addr
}

func (c *halfConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *halfConn) Write(p []byte) (int, error) { return c.w.Write(p) }
func (c *halfConn) CloseWrite() error           { return c.w.Close() }
func (c *halfConn) Close() error {
	c.w.Close()
	return c.r.Close()
}
func (c *halfConn) LocalAddr() net.Addr               { return c.local }
func (c *halfConn) RemoteAddr() net.Addr              { return c.remote }
func (c *halfConn) SetDeadline(t time.Time) error     { return c.r.SetReadDeadline(t) }
func (c *halfConn) SetReadDeadline(t time.Time) error { return c.r.SetReadDeadline(t) }
func (c *halfConn) SetWriteDeadline(time.Time) error  { return nil }
