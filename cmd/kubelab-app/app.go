package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
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

func (e env) get(k, def string) string {
	if v := e[k]; v != "" {
		return v
	}
	return def
}

func (e env) float(k string, def float64) float64 {
	if v, err := strconv.ParseFloat(e[k], 64); err == nil && v >= 0 {
		return v
	}
	return def
}

// app is one running lesson app.
type app struct {
	env    env
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
}

func run(ctx context.Context, e env, out io.Writer) error {
	a := &app{env: e, out: out, addr: e.get("KUBELAB_ADDR", ":8080"), client: &http.Client{Timeout: 5 * time.Second}}
	return a.run(ctx)
}

func (a *app) logf(format string, args ...any) {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	line := fmt.Sprintf(format, args...)
	fmt.Fprintln(a.out, line)
	if f := a.env["KUBELAB_LOG_FILE"]; f != "" {
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
	mode := a.env.get(workload.EnvMode, "server")
	a.logf("kubelab-app %s starting", version)
	a.logf("pod=%s node=%s ip=%s mode=%s", hostname(), a.env.get("KUBELAB_NODE", "unknown"), podIP(), mode)
	if version == "broken" {
		time.Sleep(300 * time.Millisecond)
		return errors.New("load configuration /etc/kubelab/app.yaml: no such file or directory")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 4)
	if d := a.env[workload.EnvCrashAfter]; d != "" {
		after, err := parseDuration(d)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", workload.EnvCrashAfter, d, err)
		}
		a.logf("will exit with status 1 after %s (%s)", after, workload.EnvCrashAfter)
		time.AfterFunc(after, func() { errc <- fmt.Errorf("exiting after %s as %s asks", after, workload.EnvCrashAfter) })
	}
	if m := a.env[workload.EnvMemory]; m != "" {
		if err := a.holdMemory(m); err != nil {
			return err
		}
	}
	switch mode {
	case "server", "queue", "db", "adapter", "worker", "producer", "load", "tail", "proxy":
	case "job":
		// A Job's task (CronJob lessons): say what was done, and finish.
		a.logf("%s", a.env.get("KUBELAB_MESSAGE", "job done"))
		return nil
	default:
		return fmt.Errorf("%s=%q is not a mode (server, worker, producer, queue, load, tail, proxy, adapter, db, job)", workload.EnvMode, mode)
	}
	if mode == "queue" {
		a.queue = &queue{}
	}
	go func() { errc <- a.serve(ctx) }()
	switch mode {
	case "worker":
		go a.work(ctx)
	case "producer":
		go a.produce(ctx)
	case "load":
		go a.load(ctx)
	case "tail":
		go func() { errc <- a.tail(ctx) }()
	case "proxy":
		go func() { errc <- a.proxy(ctx) }()
	}
	select {
	case <-ctx.Done():
		a.logf("stopping")
		return nil
	case err := <-errc:
		return err
	}
}

func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// holdMemory allocates and touches the asked amount, so that the kernel
// counts it against the container's memory limit.
func (a *app) holdMemory(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", workload.EnvMemory, s, err)
	}
	a.logf("holding %s of memory (%s)", s, workload.EnvMemory)
	a.memory = make([]byte, n)
	for i := int64(0); i < n; i += 4096 {
		a.memory[i] = 1
	}
	return nil
}

// serve runs the HTTP server until ctx ends.
func (a *app) serve(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if a.env[workload.EnvReady] == "false" {
			http.Error(w, "not ready ("+workload.EnvReady+"=false)", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /metrics", a.metrics)
	mux.HandleFunc("GET /{$}", a.hello)
	mux.HandleFunc("GET /data/{name}", a.readData)
	mux.HandleFunc("PUT /data/{name}", a.writeData)
	if a.queue != nil {
		mux.HandleFunc("POST /queue/{name}", a.queue.put)
		mux.HandleFunc("POST /queue/{name}/take", a.queue.take)
	}
	srv := &http.Server{Addr: a.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		return err
	}
	a.logf("listening on %s (GET / answers with version, pod and node; /healthz, /readyz, /metrics)", ln.Addr())
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// hello answers like a web app under load: it takes longer as the recent
// request rate nears the pod's capacity (KUBELAB_CAPACITY per second).
func (a *app) hello(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	a.mu.Lock()
	a.requests++
	a.window = append(a.window, start)
	cut := 0
	for cut < len(a.window) && start.Sub(a.window[cut]) > time.Second {
		cut++
	}
	a.window = a.window[cut:]
	rate := float64(len(a.window))
	a.mu.Unlock()
	util := math.Min(0.97, rate/a.env.float(workload.EnvCapacity, 50))
	time.Sleep(time.Duration(float64(20*time.Millisecond) / (1 - util) * 0.5))
	line := fmt.Sprintf("kubelab-app %s pod=%s", version, hostname())
	if node := a.env["KUBELAB_NODE"]; node != "" { // set from spec.nodeName by the downward API
		line += " node=" + node
	}
	fmt.Fprintln(w, line)
	a.logf("%s %s 200 (%s)", r.Method, r.URL.Path, time.Since(start).Round(time.Microsecond))
}

func (a *app) metrics(w http.ResponseWriter, _ *http.Request) {
	var set metrics.Set
	a.mu.Lock()
	switch a.env.get(workload.EnvMode, "server") {
	case "worker":
		set.Add(metrics.WorkerTasks, nil, a.tasks)
	case "producer", "load":
	case "queue":
		a.queue.report(&set)
	default:
		set.Add(metrics.Requests, nil, a.requests)
		rate := 0.0
		now := time.Now()
		for _, t := range a.window {
			if now.Sub(t) <= time.Second {
				rate++
			}
		}
		util := math.Min(0.97, rate/a.env.float(workload.EnvCapacity, 50))
		p50 := 0.020 / (1 - util)
		set.Add(metrics.Latency, map[string]string{"quantile": "0.5"}, p50)
		set.Add(metrics.Latency, map[string]string{"quantile": "0.95"}, 3*p50)
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = io.WriteString(w, set.String())
}

func (a *app) dataPath(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return "", fmt.Errorf("bad name %q", name)
	}
	return filepath.Join(a.env.get("KUBELAB_DATA_DIR", "/data"), name), nil
}

func (a *app) readData(w http.ResponseWriter, r *http.Request) {
	p, err := a.dataPath(r.PathValue("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	_, _ = w.Write(b)
}

func (a *app) writeData(w http.ResponseWriter, r *http.Request) {
	p, err := a.dataPath(r.PathValue("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = os.WriteFile(p, b, 0o644)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.logf("stored %s (%d bytes)", p, len(b))
	w.WriteHeader(http.StatusCreated)
}

// every calls f rate times per second until ctx ends.
func every(ctx context.Context, rate float64, f func()) {
	if rate <= 0 {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f()
		}
	}
}

func (a *app) queueURL(suffix string) string {
	return "http://" + a.env.get(workload.EnvTarget, "queue") + "/queue/" + a.env.get(workload.EnvQueue, "tasks") + suffix
}

func (a *app) produce(ctx context.Context) {
	every(ctx, a.env.float(workload.EnvRate, 10), func() {
		resp, err := a.client.Post(a.queueURL(""), "text/plain", nil)
		if err != nil {
			return
		}
		_ = resp.Body.Close()
		a.mu.Lock()
		a.tasks++
		a.mu.Unlock()
	})
}

func (a *app) work(ctx context.Context) {
	every(ctx, a.env.float(workload.EnvRate, 5), func() {
		resp, err := a.client.Post(a.queueURL("/take"), "text/plain", nil)
		if err != nil {
			return
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			a.mu.Lock()
			a.tasks++
			a.mu.Unlock()
		}
	})
}

func (a *app) load(ctx context.Context) {
	target := "http://" + a.env.get(workload.EnvTarget, "web") + "/"
	every(ctx, a.env.float(workload.EnvRate, 20), func() {
		go func() {
			resp, err := a.client.Get(target)
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
	})
}

// tail follows a file and prints its new lines (a log-shipping sidecar).
func (a *app) tail(ctx context.Context) error {
	path := a.env.get("KUBELAB_FILE", "/var/log/app/access.log")
	a.logf("following %s", path)
	var f *os.File
	for f == nil {
		var err error
		if f, err = os.Open(path); err != nil {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if line != "" && strings.HasSuffix(line, "\n") {
			a.logf("shipped: %s", strings.TrimSuffix(line, "\n"))
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// proxy forwards TCP connections from localhost:KUBELAB_LISTEN to KUBELAB_TARGET (an ambassador).
func (a *app) proxy(ctx context.Context) error {
	listen := "127.0.0.1:" + a.env.get("KUBELAB_LISTEN", "6379")
	target := a.env.get(workload.EnvTarget, "")
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	a.logf("proxy: listening on %s, forwarding to %s", listen, target)
	go func() { <-ctx.Done(); _ = ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go func() {
			defer c.Close()
			up, err := net.DialTimeout("tcp", target, 3*time.Second)
			if err != nil {
				a.logf("proxy: %s unreachable: %v", target, err)
				return
			}
			defer up.Close()
			go func() { _, _ = io.Copy(up, c) }()
			_, _ = io.Copy(c, up)
		}()
	}
}

// queue is the shared task queue of mode queue.
type queue struct {
	mu                 sync.Mutex
	waiting            map[string][]time.Time
	produced, consumed map[string]float64
}

func (q *queue) put(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.waiting == nil {
		q.waiting, q.produced, q.consumed = map[string][]time.Time{}, map[string]float64{}, map[string]float64{}
	}
	q.waiting[name] = append(q.waiting[name], time.Now())
	q.produced[name]++
	w.WriteHeader(http.StatusAccepted)
}

func (q *queue) take(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting[name]) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	q.waiting[name] = q.waiting[name][1:]
	q.consumed[name]++
	w.WriteHeader(http.StatusOK)
}

func (q *queue) report(set *metrics.Set) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for name, ts := range q.waiting {
		lbl := map[string]string{"queue": name}
		age := 0.0
		if len(ts) > 0 {
			age = math.Round(time.Since(ts[0]).Seconds())
		}
		set.Add(metrics.QueueLength, lbl, float64(len(ts)))
		set.Add(metrics.OldestTaskAge, lbl, age)
		set.Add(metrics.TasksProduced, lbl, q.produced[name])
		set.Add(metrics.TasksConsumed, lbl, q.consumed[name])
	}
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
