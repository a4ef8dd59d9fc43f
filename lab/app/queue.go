package app

import (
	"context"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/workload"
)

// Modes queue, producer and worker: producers put tasks on a named queue
// of the queue pod, workers take them off.

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

func (a *app) queueURL(suffix string) string {
	return "http://" + a.env.Get(workload.EnvTarget, workload.DefaultQueueTarget) + "/queue/" + a.env.Get(workload.EnvQueue, workload.DefaultQueue) + suffix
}

// post sends one task request to the queue: its answer's status, or
// false when none came.
func (a *app) post(ctx context.Context, url string) (int, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return 0, false
	}
	req.Header.Set("Content-Type", "text/plain")
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, false
	}
	_ = resp.Body.Close()
	return resp.StatusCode, true
}

func (a *app) produce(ctx context.Context) {
	every(ctx, a.env.Float(workload.EnvRate, workload.DefaultRate(workload.ModeProducer)), func() {
		if _, ok := a.post(ctx, a.queueURL("")); !ok {
			return
		}
		a.mu.Lock()
		a.tasks++
		a.mu.Unlock()
	})
}

func (a *app) work(ctx context.Context) {
	every(ctx, a.env.Float(workload.EnvRate, workload.DefaultRate(workload.ModeWorker)), func() {
		if status, _ := a.post(ctx, a.queueURL("/take")); status == http.StatusOK {
			a.mu.Lock()
			a.tasks++
			a.mu.Unlock()
		}
	})
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
