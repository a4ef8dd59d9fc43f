package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/workload"
)

// serve runs the HTTP server of every mode but job until ctx ends.
func (a *app) serve(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.probe(func() bool { return true }))
	mux.HandleFunc("GET /readyz", a.probe(func() bool { return a.env(workload.EnvReady) != "false" }))
	mux.HandleFunc("GET /metrics", a.metrics)
	mux.HandleFunc("GET /{$}", a.hello)
	mux.HandleFunc("GET /data/{name}", a.readData)
	mux.HandleFunc("PUT /data/{name}", a.writeData)
	if a.queue != nil {
		mux.HandleFunc("POST /queue/{name}", a.queue.put)
		mux.HandleFunc("POST /queue/{name}/take", a.queue.take)
	}
	srv := &http.Server{Handler: a.answering(mux), ReadHeaderTimeout: 5 * time.Second}
	ln, err := a.p.Net.Listen("tcp", a.addr)
	if err != nil {
		return err
	}
	a.logf("%s", workload.LogListening(a.addr))
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
		case <-a.killed:
			_ = srv.Close() // SIGKILL: no goodbye
			return
		}
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		_ = srv.Close() // what a hung handler still holds
	}()
	err = srv.Serve(ln)
	<-stopped
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// probe answers a kubelet's probe, ok or not, and logs it as a request.
func (a *app) probe(ok func() bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		status := http.StatusOK
		if ok() {
			_, _ = io.WriteString(w, "ok\n")
		} else {
			status = http.StatusServiceUnavailable
			http.Error(w, "not ready ("+workload.EnvReady+"=false)", status)
		}
		a.logf("%s", workload.LogRequest(r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond)))
	}
}

// hello answers like a web app under load: it spends workload.RequestCPU
// of CPU on each answer, and takes longer as the recent request rate nears
// the pod's capacity (KUBELAB_CAPACITY per second), as requests queue.
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
	capacity := a.env.Float(workload.EnvCapacity, workload.DefaultCapacity)
	util := math.Min(0.97, rate/capacity)
	work := workload.RequestCPU(capacity)
	a.p.Usage.CPU(work)
	if wait := time.Duration(float64(20*time.Millisecond)/(1-util)*0.5) - time.Since(start); wait > 0 {
		sleep(r.Context(), wait)
	}
	line := fmt.Sprintf("kubelab-app %s pod=%s", a.version, a.hostname())
	if node := a.env(workload.EnvNode); node != "" { // set from spec.nodeName by the downward API
		line += " node=" + node
	}
	fmt.Fprintln(w, line)
	a.logf("%s", workload.LogRequest(r.Method, r.URL.Path, http.StatusOK, time.Since(start).Round(time.Microsecond)))
}

func (a *app) metrics(w http.ResponseWriter, _ *http.Request) {
	var set metrics.Set
	a.mu.Lock()
	switch a.env.Mode() {
	case workload.ModeWorker:
		set.Add(metrics.WorkerTasks, nil, a.tasks)
	case workload.ModeProducer, workload.ModeLoad:
	case workload.ModeQueue:
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
		util := math.Min(0.97, rate/a.env.Float(workload.EnvCapacity, workload.DefaultCapacity))
		p50 := 0.020 / (1 - util)
		set.Add(metrics.Latency, map[string]string{"quantile": "0.5"}, p50)
		set.Add(metrics.Latency, map[string]string{"quantile": "0.95"}, 3*p50)
	}
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = io.WriteString(w, set.String())
}
