package simnode

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	listerscorev1 "k8s.io/client-go/listers/core/v1"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/workload"
)

// appSim plays the lesson app's traffic on the simulated nodes: producers
// put tasks on named queues, workers take them off, load pods send requests
// to a Service whose pods answer with a latency that grows with their load.
// Each pod's figures are served as the app's /metrics would serve them (see
// lab/metrics), so the TUI's on-duty panel reads both backends the same way.
type appSim struct {
	pods     listerscorev1.PodLister
	services listerscorev1.ServiceLister

	mu     sync.Mutex
	last   time.Time
	queues map[string]*queueSim      // namespace/queue
	counts map[string]float64        // namespace/pod -> requests or tasks handled
	served map[string]serverSnapshot // namespace/pod -> last computed server figures
	loads  map[string]*loadRun       // namespace/pod -> a load pod's reports
}

type queueSim struct {
	length             float64
	produced, consumed float64
	// history of (time, produced total), to find the oldest waiting task.
	history []sample
}

type sample struct {
	at    time.Time
	total float64
}

type serverSnapshot struct {
	rps, p50, p95 float64
}

func newAppSim(pods listerscorev1.PodLister, services listerscorev1.ServiceLister) *appSim {
	return &appSim{pods: pods, services: services, queues: map[string]*queueSim{}, counts: map[string]float64{},
		served: map[string]serverSnapshot{}, loads: map[string]*loadRun{}}
}

// run advances the simulation every second until stop closes.
func (s *appSim) run(stop <-chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			s.step(now)
		}
	}
}

func envOf(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func rateOf(c corev1.Container, def float64) float64 {
	if v, err := strconv.ParseFloat(envOf(c, workload.EnvRate), 64); err == nil && v >= 0 {
		return v
	}
	return def
}

func isRunning(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil
		}
	}
	return false
}

// step advances every queue and server by the time since the last step.
func (s *appSim) step(now time.Time) {
	pods, err := s.pods.List(labels.Everything())
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dt := 1.0
	if !s.last.IsZero() {
		dt = math.Min(5, now.Sub(s.last).Seconds())
	}
	s.last = now

	produce := map[string]float64{}
	consume := map[string]float64{}
	workers := map[string][]*corev1.Pod{}
	load := map[string]float64{} // namespace/service -> requests per second
	seen := map[string]bool{}    // load pods
	for _, p := range pods {
		if !isRunning(p) || len(p.Spec.Containers) == 0 {
			continue
		}
		c := p.Spec.Containers[0]
		q := p.Namespace + "/" + orDefault(envOf(c, workload.EnvQueue), workload.DefaultQueue)
		switch envOf(c, workload.EnvMode) {
		case workload.ModeProducer:
			produce[q] += rateOf(c, workload.DefaultRate(workload.ModeProducer))
			s.touch(q)
		case workload.ModeWorker:
			s.touch(q)
			if isReady(p) {
				consume[q] += rateOf(c, workload.DefaultRate(workload.ModeWorker))
				workers[q] = append(workers[q], p)
			}
		case workload.ModeLoad:
			load[p.Namespace+"/"+orDefault(envOf(c, workload.EnvTarget), workload.DefaultLoadTarget)] += rateOf(c, workload.DefaultRate(workload.ModeLoad))
			s.loadStep(p, c, now, dt)
			seen[p.Namespace+"/"+p.Name] = true
		}
	}
	for key := range s.loads {
		if !seen[key] {
			delete(s.loads, key)
		}
	}
	for key, q := range s.queues {
		in := produce[key] * dt
		capacity := consume[key] * dt
		out := math.Min(capacity, q.length+in)
		q.length += in - out
		q.produced += in
		q.consumed += out
		q.history = append(q.history, sample{now, q.produced})
		// Drop samples older than the oldest waiting task needs.
		for len(q.history) > 2 && q.history[1].total <= q.consumed {
			q.history = q.history[1:]
		}
		if ws := workers[key]; len(ws) > 0 {
			for _, w := range ws {
				s.counts[w.Namespace+"/"+w.Name] += out / float64(len(ws))
			}
		}
	}
	s.serve(load, dt)
}

func (s *appSim) touch(q string) {
	if s.queues[q] == nil {
		s.queues[q] = &queueSim{}
	}
}

// serve spreads each Service's load over its ready pods; latency follows
// the pods' utilisation (an M/M/1 queue: base / (1 - load/capacity)).
func (s *appSim) serve(load map[string]float64, dt float64) {
	s.served = map[string]serverSnapshot{}
	for key, rps := range load {
		ns, name, _ := strings.Cut(key, "/")
		svc, err := s.services.Services(ns).Get(name)
		if err != nil || len(svc.Spec.Selector) == 0 {
			continue
		}
		pods, _ := s.pods.Pods(ns).List(labels.SelectorFromSet(svc.Spec.Selector))
		var backends []*corev1.Pod
		for _, p := range pods {
			if isReady(p) {
				backends = append(backends, p)
			}
		}
		if len(backends) == 0 {
			continue
		}
		per := rps / float64(len(backends))
		for _, p := range backends {
			capacity := workload.DefaultCapacity
			if v, err := strconv.ParseFloat(envOf(p.Spec.Containers[0], workload.EnvCapacity), 64); err == nil && v > 0 {
				capacity = v
			}
			util := math.Min(0.97, per/capacity)
			p50 := 0.020 / (1 - util)
			k := p.Namespace + "/" + p.Name
			s.served[k] = serverSnapshot{rps: per, p50: p50, p95: p50 * 3}
			s.counts[k] += per * dt
		}
	}
}

// exposition writes pod ns/name's metrics in the Prometheus text format.
func (s *appSim) exposition(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("ns"), r.PathValue("pod")
	p, err := s.pods.Pods(ns).Get(name)
	if err != nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found", ns, name), http.StatusNotFound)
		return
	}
	if !isRunning(p) || len(p.Spec.Containers) == 0 {
		http.Error(w, fmt.Sprintf("pod %s/%s is not running", ns, name), http.StatusServiceUnavailable)
		return
	}
	c := p.Spec.Containers[0]
	s.mu.Lock()
	defer s.mu.Unlock()
	set := metrics.Set{}
	key := ns + "/" + name
	switch envOf(c, workload.EnvMode) {
	case workload.ModeProducer, workload.ModeWorker:
		queue := orDefault(envOf(c, workload.EnvQueue), workload.DefaultQueue)
		if q := s.queues[ns+"/"+queue]; q != nil {
			lbl := map[string]string{"queue": queue}
			set.Add(metrics.QueueLength, lbl, math.Floor(q.length))
			set.Add(metrics.OldestTaskAge, lbl, q.oldestAge(s.last))
			set.Add(metrics.TasksProduced, lbl, math.Floor(q.produced))
			set.Add(metrics.TasksConsumed, lbl, math.Floor(q.consumed))
		}
		if envOf(c, workload.EnvMode) == workload.ModeWorker {
			set.Add(metrics.WorkerTasks, nil, math.Floor(s.counts[key]))
		}
	case workload.ModeLoad, workload.ModeTail, workload.ModeProxy, workload.ModeJob:
		// A load pod only sends requests; the sidecars and jobs serve no HTTP.
	case workload.ModeQueue:
		// The queue itself is simulated through its producers and workers,
		// which report it (lab/metrics/scrape counts each queue once).
	default:
		sv := s.served[key]
		set.Add(metrics.Requests, nil, math.Floor(s.counts[key]))
		set.Add(metrics.Latency, map[string]string{"quantile": "0.5"}, round(sv.p50))
		set.Add(metrics.Latency, map[string]string{"quantile": "0.95"}, round(sv.p95))
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = w.Write([]byte(set.String()))
}

func round(v float64) float64 { return math.Round(v*10000) / 10000 }

// oldestAge is how long the oldest waiting task has waited: the time since
// the producers' total passed what the workers have consumed.
func (q *queueSim) oldestAge(now time.Time) float64 {
	if q.length < 1 {
		return 0
	}
	for _, h := range q.history {
		if h.total > q.consumed {
			return math.Round(now.Sub(h.at).Seconds())
		}
	}
	return 0
}
