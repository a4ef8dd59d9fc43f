package inmem

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// MemNet is a cluster network in memory: pods by IP, each its own network
// namespace (a loopback and its IP, ports shared by its containers),
// Services that spread connections over pods, and names. No connection
// leaves the process.
type MemNet struct {
	mu       sync.Mutex
	pods     map[string]*PodNet
	hosts    map[string][]string // DNS name -> IPs
	services map[string]*service // name -> Service
}

type service struct {
	ports map[int]int // port -> targetPort
	ips   []string
	next  int
}

// NewMemNet is an empty network.
func NewMemNet() *MemNet {
	return &MemNet{pods: map[string]*PodNet{}, hosts: map[string][]string{}, services: map[string]*service{}}
}

// Pod is the network namespace of the pod with ip: the same one for every
// container of that pod.
func (n *MemNet) Pod(ip string) *PodNet {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.pods[ip]
	if p == nil {
		p = &PodNet{net: n, ip: ip, ports: map[int]*listener{}, next: 40000}
		n.pods[ip] = p
	}
	return p
}

// AddHost makes name resolve to ips (a headless Service, a pod's DNS name).
func (n *MemNet) AddHost(name string, ips ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.hosts[name] = append([]string(nil), ips...)
}

// AddService makes name a Service: a connection to name:port goes to
// targetPort of one of the pods with ips, each connection to the next
// (kube-proxy spreads connections, not requests). Calling it again
// replaces the pods behind it (endpoints that changed).
func (n *MemNet) AddService(name string, port, targetPort int, ips ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := n.services[name]
	if s == nil {
		s = &service{ports: map[int]int{}}
		n.services[name] = s
	}
	s.ports[port] = targetPort
	s.ips = append([]string(nil), ips...)
}

// PodNet is one pod's network namespace; it is a sandbox.Net.
type PodNet struct {
	net   *MemNet
	ip    string
	mu    sync.Mutex
	ports map[int]*listener
	next  int
}

var _ sandbox.Net = (*PodNet)(nil)

// IP is the pod's address.
func (p *PodNet) IP() string { return p.ip }

func (p *PodNet) Listen(network, address string) (net.Listener, error) {
	host, portText, err := net.SplitHostPort(address)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil || port < 0 || port > 65535 {
		return nil, &net.OpError{Op: "listen", Net: network, Err: &net.AddrError{Err: "invalid address", Addr: address}}
	}
	loopbackOnly := host == "127.0.0.1" || host == "localhost" || host == "::1"
	if host != "" && host != "0.0.0.0" && host != "::" && !loopbackOnly && host != p.ip {
		return nil, &net.OpError{Op: "listen", Net: network, Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if port == 0 {
		for p.ports[p.next] != nil {
			p.next++
		}
		port = p.next
		p.next++
	}
	if p.ports[port] != nil {
		// As the kernel's, through Go: "listen tcp :80: bind: address already in use".
		asked := &net.TCPAddr{IP: net.ParseIP(host), Port: port}
		return nil, &net.OpError{Op: "listen", Net: network, Addr: asked, Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	shown := host
	if shown == "" {
		shown = "::"
	}
	addr := &net.TCPAddr{IP: net.ParseIP(shown), Port: port}
	l := &listener{pod: p, port: port, addr: addr, loopbackOnly: loopbackOnly, conns: make(chan *conn, backlog), done: make(chan struct{})}
	p.ports[port] = l
	return l, nil
}

// Dial connects to a pod's IP, a Service, a name, or this pod's loopback.
func (p *PodNet) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: "invalid address", Addr: address}}
	}
	dst, loopback := p.ip, true
	if host != "127.0.0.1" && host != "localhost" && host != "::1" {
		loopback = false
		if dst, port, err = p.net.route(host, port); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
	}
	addr := &net.TCPAddr{IP: net.ParseIP(dst), Port: port}
	if loopback {
		addr.IP = net.ParseIP("127.0.0.1")
	}
	refused := &net.OpError{Op: "dial", Net: network, Addr: addr, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	p.net.mu.Lock()
	to := p.net.pods[dst]
	p.net.mu.Unlock()
	if to == nil {
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}
	}
	to.mu.Lock()
	l := to.ports[port]
	to.mu.Unlock()
	if l == nil || l.loopbackOnly && !loopback {
		return nil, refused
	}
	src := &net.TCPAddr{IP: net.ParseIP(p.ip), Port: p.ephemeral()}
	if loopback {
		src.IP = addr.IP
	}
	mine, theirs := pair(src, addr)
	select {
	case l.conns <- theirs:
		return mine, nil
	case <-l.done:
		return nil, refused
	case <-ctx.Done():
		return nil, &net.OpError{Op: "dial", Net: network, Addr: addr, Err: ctx.Err()}
	}
}

func (p *PodNet) ephemeral() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next++
	return 32768 + p.next%28000
}

// LookupHost resolves a Service, a name or an IP; a name nobody has is a
// *net.DNSError with IsNotFound, as the Go resolver's.
func (p *PodNet) LookupHost(_ context.Context, host string) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	if host == "localhost" {
		return []string{"127.0.0.1"}, nil
	}
	n := p.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if s := n.services[host]; s != nil {
		return []string{"10.96.0." + strconv.Itoa(1+len(host)%250)}, nil
	}
	if ips := n.hosts[host]; len(ips) > 0 {
		return append([]string(nil), ips...), nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// route picks the pod and port a connection to host:port reaches.
func (n *MemNet) route(host string, port int) (string, int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if net.ParseIP(host) != nil {
		return host, port, nil
	}
	if s := n.services[host]; s != nil {
		target, ok := s.ports[port]
		if !ok || len(s.ips) == 0 {
			return "", 0, os.NewSyscallError("connect", syscall.ECONNREFUSED)
		}
		ip := s.ips[s.next%len(s.ips)]
		s.next++
		return ip, target, nil
	}
	if ips := n.hosts[host]; len(ips) > 0 {
		return ips[0], port, nil
	}
	return "", 0, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// backlog is how many connections wait for Accept, as a kernel's listen
// queue holds them.
const backlog = 128

// listener is a bound port of a pod.
type listener struct {
	pod          *PodNet
	port         int
	addr         net.Addr
	loopbackOnly bool
	conns        chan *conn
	done         chan struct{}
	once         sync.Once
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.addr, Err: net.ErrClosed}
	}
}

// Close frees the port.
func (l *listener) Close() error {
	l.once.Do(func() {
		close(l.done)
		for {
			select {
			case c := <-l.conns: // in the backlog, never accepted: reset
				_ = c.Close()
				continue
			default:
			}
			break
		}
		l.pod.mu.Lock()
		if l.pod.ports[l.port] == l {
			delete(l.pod.ports, l.port)
		}
		l.pod.mu.Unlock()
	})
	return nil
}

func (l *listener) Addr() net.Addr { return l.addr }

func (l *listener) String() string { return fmt.Sprintf("listener %s", l.addr) }
