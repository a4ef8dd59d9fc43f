package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// env is the app's configuration; tests pass their own.
type env map[string]string

func envFromOS() env {
	e := env{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e[k] = v
		}
	}
	return e
}

// contract reads e through lab/workload's defaults.
func (e env) contract() workload.Env { return func(k string) string { return e[k] } }

// app is one running lesson app.
type app struct {
	env    workload.Env
	out    io.Writer
	outMu  sync.Mutex
	addr   string // where the HTTP server listens (":8080")
	client *http.Client

	mu       sync.Mutex
	requests float64
	window   []time.Time // arrival times of recent requests, for the load
	tasks    float64     // tasks this worker finished, or produced
	queue    *queue      // mode queue
	memory   []byte

	hung atomic.Bool // EnvHangAfter has passed: no request is answered
}

func run(ctx context.Context, e env, out io.Writer) error {
	c := e.contract()
	a := &app{env: c, out: out, addr: c.Addr(), client: newClient()}
	return a.run(ctx)
}

func (a *app) logf(format string, args ...any) {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	line := fmt.Sprintf(format, args...)
	fmt.Fprintln(a.out, line)
	if f := a.env(workload.EnvLogFile); f != "" {
		if fh, err := os.OpenFile(f, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(fh, line)
			_ = fh.Close()
		}
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}

// serviceAccountNamespace is where the kubelet writes the pod's namespace
// (with its service account token).
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

func namespace() string {
	b, err := os.ReadFile(serviceAccountNamespace)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func podIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "unknown"
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return "unknown"
}

func (a *app) run(ctx context.Context) error {
	mode := a.env.Mode()
	a.logf("%s", workload.LogStarting(version))
	a.logf("%s", workload.LogIdentity(hostname(), namespace(), a.env.Get(workload.EnvNode, "unknown"), podIP(), mode))
	if version == "broken" {
		time.Sleep(300 * time.Millisecond)
		return errors.New(workload.BrokenReason)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4)
	if d := a.env(workload.EnvCrashAfter); d != "" {
		after, err := workload.ParseDuration(d)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", workload.EnvCrashAfter, d, err)
		}
		a.logf("%s", workload.LogCrashAfter(after))
		time.AfterFunc(after, func() { errc <- errors.New(workload.CrashReason(after)) })
	}
	if m := a.env(workload.EnvMemory); m != "" {
		if err := a.holdMemory(m); err != nil {
			return err
		}
	}
	if !workload.IsMode(mode) {
		return workload.NotAMode(mode)
	}
	if a.env(workload.EnvReady) == "false" {
		a.logf("%s", workload.LogNotReady)
	}
	if mode == workload.ModeJob {
		return a.job(ctx, errc)
	}
	if line := workload.LogMode(a.env); line != "" {
		a.logf("%s", line)
	}
	if mode == workload.ModeQueue {
		a.queue = &queue{}
	}
	if workload.Serves(mode) {
		if err := a.hangLater(); err != nil {
			return err
		}
		go func() { errc <- a.serve(ctx) }()
	}
	switch mode {
	case workload.ModeWorker:
		go a.work(ctx)
	case workload.ModeProducer:
		go a.produce(ctx)
	case workload.ModeLoad:
		go a.load(ctx)
	case workload.ModeTail:
		go func() { errc <- a.tail(ctx) }()
	case workload.ModeProxy:
		go func() { errc <- a.proxy(ctx) }()
	}
	select {
	case <-ctx.Done():
		if a.hung.Load() {
			return errHung // a stuck program says nothing more
		}
		a.logf("stopping")
		return nil
	case err := <-errc:
		return err
	}
}

// job works for its EnvDuration, then says its message and is done (exit
// 0), unless it crashes first (EnvCrashAfter) or is stopped.
func (a *app) job(ctx context.Context, crashed <-chan error) error {
	d, err := a.env.JobDuration()
	if err != nil {
		return err
	}
	if d > 0 {
		a.logf("%s", workload.LogWorking(d))
	}
	done := time.NewTimer(d)
	defer done.Stop()
	select {
	case <-done.C:
	case err := <-crashed:
		return err
	case <-ctx.Done():
		a.logf("stopping")
		return nil
	}
	a.logf("%s", workload.LogMode(a.env))
	return nil
}

// holdMemory allocates and touches the asked amount, so that the kernel
// counts it against the container's memory limit.
func (a *app) holdMemory(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", workload.EnvMemory, s, err)
	}
	a.logf("%s", workload.LogMemory(s))
	a.memory = make([]byte, n)
	for i := int64(0); i < n; i += 4096 {
		a.memory[i] = 1
	}
	return nil
}

// parseBytes reads a Kubernetes memory quantity: 300Mi, 1Gi, 500M, 1024.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a memory amount such as 300Mi or 1Gi")
	}
	return int64(n * float64(mult)), nil
}

// newClient opens a new connection for every request. A Service (kube-proxy)
// spreads connections, not requests: a client that kept one connection
// alive would send all its load to one pod, and a lesson could not show
// load balancing or scaling on real nodes.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	return &http.Client{Timeout: 5 * time.Second, Transport: t}
}
