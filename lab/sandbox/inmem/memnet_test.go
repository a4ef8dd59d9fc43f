package inmem

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestMemNetPortsArePerPod(t *testing.T) {
	t.Parallel()
	n := NewMemNet()
	a, b := n.Pod("10.244.1.2"), n.Pod("10.244.1.3")
	ln, err := a.Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := n.Pod("10.244.1.2").Listen("tcp", "0.0.0.0:80"); err == nil || err.Error() != "listen tcp 0.0.0.0:80: bind: address already in use" {
		t.Fatalf("a second listener on the pod's port 80: %v", err)
	}
	other, err := b.Listen("tcp", ":80")
	if err != nil {
		t.Fatalf("another pod's port 80: %v", err)
	}
	_ = other.Close()
	local, err := b.Listen("tcp", "127.0.0.1:6379")
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	if _, err := a.Dial(context.Background(), "tcp", "10.244.1.3:6379"); err == nil || !strings.HasSuffix(err.Error(), "connection refused") {
		t.Errorf("dial of another pod's loopback-only port: %v", err)
	}
	if _, err := b.Dial(context.Background(), "tcp", "localhost:6379"); err != nil {
		t.Errorf("dial of the pod's own loopback: %v", err)
	}
	if _, err := a.Dial(context.Background(), "tcp", "nothing:80"); err == nil {
		t.Error("an unknown name dialled")
	} else if dns := (*net.DNSError)(nil); !errors.As(err, &dns) || !dns.IsNotFound {
		t.Errorf("an unknown name: %v", err)
	}
}

// An HTTP server and client over the network: a Service spreads
// connections over its pods, deadlines and closes work as net/http needs.
func TestMemNetCarriesHTTPThroughAService(t *testing.T) {
	t.Parallel()
	n := NewMemNet()
	var ips []string
	for _, ip := range []string{"10.244.1.2", "10.244.2.2"} {
		ips = append(ips, ip)
		ln, err := n.Pod(ip).Listen("tcp", ":8080")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "pod="+ip+" from="+strings.Split(r.RemoteAddr, ":")[0])
		})}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
	}
	n.AddService("web", 80, 8080, ips...)
	client := n.Pod("10.244.3.9")
	tr := &http.Transport{DialContext: client.Dial, DisableKeepAlives: true}
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	seen := map[string]bool{}
	for range 4 {
		resp, err := c.Get("http://web/")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		seen[string(b)] = true
	}
	if !seen["pod=10.244.1.2 from=10.244.3.9"] || !seen["pod=10.244.2.2 from=10.244.3.9"] || len(seen) != 2 {
		t.Fatalf("answers: %v", seen)
	}
	// A server that never answers: the client's timeout ends the request.
	ln, _ := n.Pod("10.244.4.4").Listen("tcp", ":8080")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	quick := &http.Client{Transport: tr, Timeout: 200 * time.Millisecond}
	if _, err := quick.Get("http://10.244.4.4:8080/"); err == nil {
		t.Error("a server that never answers answered")
	}
}
