package app

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"
)

// Where the kubelet tells a container who it is: the service account's
// namespace file and the pod's /etc/hosts line (its IP and host name).
const (
	serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
	etcHosts                = "/etc/hosts"
)

func (a *app) hostname() string {
	if a.p.Hostname == "" {
		return "unknown"
	}
	return a.p.Hostname
}

func (a *app) namespace() string {
	b, err := readFile(a.p.FS, serviceAccountNamespace)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// podIP is the pod's IPv4 address: the kubelet's /etc/hosts line for the
// pod's host name, else what the name resolves to, else "unknown".
func (a *app) podIP(ctx context.Context) string {
	host := a.p.Hostname
	if host == "" {
		return "unknown"
	}
	if f, err := a.p.FS.Open(etcHosts); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(strings.SplitN(sc.Text(), "#", 2)[0])
			if len(fields) < 2 || !usable(fields[0]) {
				continue
			}
			for _, name := range fields[1:] {
				if name == host {
					return fields[0]
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	addrs, _ := a.p.Net.LookupHost(ctx, host)
	for _, ip := range addrs {
		if usable(ip) {
			return ip
		}
	}
	return "unknown"
}

// usable is an IPv4 address other than loopback.
func usable(s string) bool {
	ip := net.ParseIP(s)
	return ip != nil && ip.To4() != nil && !ip.IsLoopback()
}

// newClient dials through the pod's network and opens a new connection
// for every request: a Service (kube-proxy) spreads connections, not
// requests, so a client that kept one alive would send all its load to
// one pod, and a lesson could not show load balancing or scaling.
func (a *app) newClient() *http.Client {
	t := &http.Transport{
		DialContext:       a.p.Net.Dial,
		DisableKeepAlives: true,
		Proxy:             nil, // the pod's environment names no proxy for the app
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: t}
}

// readFile reads a whole file of the container.
func readFile(fsys interface {
	Open(string) (fs.File, error)
}, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
