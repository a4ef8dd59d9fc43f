package programs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// nginxRequestCPU is the CPU one request costs the worker.
const nginxRequestCPU = 150 * time.Microsecond

// nginxServer is the worker's listeners and HTTP servers.
type nginxServer struct {
	n       *nginx
	cfg     atomic.Pointer[nginxConfig]
	mu      sync.Mutex
	ports   map[int]*http.Server
	lns     map[int]net.Listener
	conns   atomic.Int64 // request numbers for the error log (*N)
	stopped chan struct{}
}

// bindAddr is the address a listen asks the pod's network for.
func bindAddr(l listen) string {
	host := l.host
	if host == "" || host == "0.0.0.0" || host == "[::]" {
		host = ""
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(l.port))
}

// bind takes every port of the configuration, trying as nginx does (five
// times, half a second apart) while one is taken.
func (n *nginx) bind(ctx context.Context, cfg *nginxConfig) (*nginxServer, error) {
	s := &nginxServer{n: n, ports: map[int]*http.Server{}, lns: map[int]net.Listener{}, stopped: make(chan struct{})}
	s.cfg.Store(cfg)
	for try := 0; ; try++ {
		failed := false
		for _, l := range cfg.listenOrder() {
			if s.lns[l.port] != nil {
				continue
			}
			ln, err := n.p.Net.Listen("tcp", bindAddr(l))
			if err != nil {
				failed = true
				for _, shown := range cfg.addrsOf(l.port) {
					n.startupf("emerg", "bind() to %s failed (%s)", shown, errnoText(err))
				}
				continue
			}
			s.lns[l.port] = ln
		}
		if !failed {
			return s, nil
		}
		if try == nginxBindTries-1 || !sleepCtx(ctx.Done(), nginxBindRetryWait) {
			n.startupf("emerg", "still could not bind()")
			s.close()
			return nil, errors.New("still could not bind()")
		}
	}
}

// listenOrder is one listen per port, in the configuration's order.
func (cfg *nginxConfig) listenOrder() []listen {
	seen := map[int]bool{}
	var out []listen
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if !seen[l.port] {
				seen[l.port] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// addrsOf are the addresses of port as nginx names them ("0.0.0.0:80", "[::]:80").
func (cfg *nginxConfig) addrsOf(port int) []string {
	var out []string
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if a := l.String(); l.port == port && !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *nginxServer) serve() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for port, ln := range s.lns {
		if s.ports[port] != nil {
			continue
		}
		srv := &http.Server{Handler: http.HandlerFunc(s.handle), ReadHeaderTimeout: 60 * time.Second}
		s.ports[port] = srv
		go func() { _ = srv.Serve(ln) }()
	}
}

func (s *nginxServer) update(cfg *nginxConfig) { s.cfg.Store(cfg) }

// rebind takes the ports a reloaded configuration adds and frees the ones
// it dropped.
func (s *nginxServer) rebind(cfg *nginxConfig) error {
	want := map[int]bool{}
	var errs []error
	for _, l := range cfg.listenOrder() {
		want[l.port] = true
		s.mu.Lock()
		have := s.lns[l.port] != nil
		s.mu.Unlock()
		if have {
			continue
		}
		ln, err := s.n.p.Net.Listen("tcp", bindAddr(l))
		if err != nil {
			errs = append(errs, fmt.Errorf("bind() to %s failed (%s)", l, errnoText(err)))
			continue
		}
		s.mu.Lock()
		s.lns[l.port] = ln
		s.mu.Unlock()
	}
	s.mu.Lock()
	for port, srv := range s.ports {
		if !want[port] {
			_ = srv.Close()
			delete(s.ports, port)
			delete(s.lns, port)
		}
	}
	s.mu.Unlock()
	s.serve()
	return errors.Join(errs...)
}

// shutdown finishes the requests under way, then closes.
func (s *nginxServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.ports {
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
	}
	for _, ln := range s.lns {
		_ = ln.Close()
	}
}

func (s *nginxServer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.ports {
		_ = srv.Close()
	}
	for _, ln := range s.lns {
		_ = ln.Close()
	}
}

// vserverFor picks the server block of a request: by port, then name,
// else the port's default server (default_server, or the first).
func (cfg *nginxConfig) vserverFor(port int, host string) *vserver {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	var first, def *vserver
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if l.port != port {
				continue
			}
			if first == nil {
				first = s
			}
			if l.def && def == nil {
				def = s
			}
			if contains(s.names, host) {
				return s
			}
		}
	}
	if def != nil {
		return def
	}
	return first
}
