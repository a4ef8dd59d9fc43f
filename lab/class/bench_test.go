package class_test

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/host/hosttest"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// BenchmarkRoom30 is a room of 30 learners at once on the embedded cluster:
// each runs a lesson step's live checker (as their kubelab does) and
// publishes progress every second; one watcher follows the room. It reports
// the latency from a learner's write to the watcher's update (p50, p95), and
// the API server's request rate (idle, and with the room) and the resident
// memory the room adds. Run: go test -run '^$' -bench Room30 -benchtime 1x ./lab/class/
func BenchmarkRoom30(b *testing.B) {
	const learners, seconds = 30, 30
	env := clustertest.Cluster(b)
	cfg, err := hosttest.New(b, host.Config{Kubelab: hosttest.Kubelab(b)}).EngineConfig()
	if err != nil {
		b.Fatal(err)
	}
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		b.Fatal(err)
	}
	pods := all[slices.IndexFunc(all, func(l *lesson.Lesson) bool { return l.ID == "pods" })]
	for range b.N {
		names := make([]string, learners)
		for i := range names {
			names[i] = fmt.Sprintf("l%02d", i+1)
		}
		name := className()
		ctx, cancel := context.WithCancel(context.Background())
		created := time.Now()
		res, err := class.Create(ctx, env.Client, env.Config, class.Spec{Name: name, Learners: names, Lessons: []string{pods.ID}, OutDir: b.TempDir(), Duration: time.Hour})
		if err != nil {
			b.Fatalf("create the class: %v", err)
		}
		createTook := time.Since(created) // reported at the end: ResetTimer drops metrics
		b.Cleanup(func() { _, _ = class.Delete(context.Background(), env.Client, name, false) })
		// Each learner publishes with their own credentials.
		clients := map[string]kubernetes.Interface{}
		for _, l := range res.Learners {
			_, cfg, err := class.Check(ctx, l.Kubeconfig)
			if err != nil {
				b.Fatalf("join as %s: %v", l.Name, err)
			}
			if clients[l.Name], err = kubernetes.NewForConfig(cfg); err != nil {
				b.Fatal(err)
			}
		}

		idle0 := apiMetrics(b, env.Client)
		time.Sleep(10 * time.Second)
		idle1 := apiMetrics(b, env.Client)

		// 30 learners' kubelabs: a step open, its checker watching.
		var sessions []*engine.Session
		for _, l := range names {
			s := engine.OpenIn(cfg, pods, class.LessonNamespace(name, l, pods.ID))
			if err := s.Start(ctx, 0); err != nil {
				b.Fatalf("open pods for %s: %v", l, err)
			}
			sessions = append(sessions, s)
		}

		var mu sync.Mutex
		var lat []time.Duration
		last := map[string]time.Time{}
		go func() {
			_ = class.Watch(ctx, watcherClient(b, name), name, func(r class.Room) {
				now := time.Now()
				mu.Lock()
				defer mu.Unlock()
				for _, l := range r.Learners {
					if p := l.Progress; p != nil && p.Updated.After(last[l.Name]) {
						last[l.Name] = p.Updated
						lat = append(lat, now.Sub(p.Updated))
					}
				}
			})
		}()
		time.Sleep(2 * time.Second) // the watcher lists the room
		busy0 := apiMetrics(b, env.Client)
		var wg sync.WaitGroup
		b.ResetTimer()
		for i, l := range names {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * time.Second / learners) // spread over the second
				tick := time.NewTicker(time.Second)
				defer tick.Stop()
				for n := range seconds {
					p := &class.Published{Version: class.PublishedVersion, Class: name, Learner: l, Updated: time.Now(),
						Current: &class.CurrentStep{Lesson: pods.ID, Step: pods.Steps[0].ID, Count: len(pods.Steps), Hints: n % 4}}
					publish(b, clients[l], name, l, p)
					<-tick.C
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		busy1 := apiMetrics(b, env.Client)
		cancel()
		for _, s := range sessions {
			s.Close()
		}

		mu.Lock()
		slices.Sort(lat)
		if len(lat) < learners*seconds/2 {
			b.Fatalf("the watcher saw %d of %d writes", len(lat), learners*seconds)
		}
		q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(createTook.Seconds(), "create-s")
		b.ReportMetric(q(0.5), "p50-ms")
		b.ReportMetric(q(0.95), "p95-ms")
		b.ReportMetric(float64(len(lat)), "updates-seen")
		mu.Unlock()
		idleRate := (idle1.requests - idle0.requests) / 10
		busyRate := (busy1.requests - busy0.requests) / float64(seconds)
		b.ReportMetric(idleRate, "idle-req/s")
		b.ReportMetric(busyRate, "room-req/s")
		b.ReportMetric((busy1.rss-idle1.rss)/(1<<20), "added-RSS-MiB")
		b.ReportMetric(busy1.rss/(1<<20), "RSS-MiB")
	}
}

type apiSample struct{ requests, rss float64 }

// apiMetrics reads the API server's request count and its process's
// resident memory (the embedded control plane's whole process) from /metrics.
func apiMetrics(b *testing.B, cs kubernetes.Interface) apiSample {
	b.Helper()
	raw, err := cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(context.Background())
	if err != nil {
		b.Fatalf("read the API server's metrics: %v", err)
	}
	var s apiSample
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(name, "apiserver_request_total{"):
			s.requests += v
		case name == "process_resident_memory_bytes":
			s.rss = v
		}
	}
	return s
}
