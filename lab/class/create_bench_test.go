package class_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lessons"
)

// BenchmarkClassCreate30 creates a class of 30 learners with every built-in
// lesson (the budget: 30 s on the embedded cluster). Run it with
// -benchtime 1x; it reports learners/s and namespaces made.
func BenchmarkClassCreate30(b *testing.B) { benchCreate(b, 30) }

// BenchmarkClassCreate100 is a room of 100 (1,401 namespaces).
func BenchmarkClassCreate100(b *testing.B) { benchCreate(b, 100) }

func benchCreate(b *testing.B, n int) {
	env := clustertest.Cluster(b)
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, l := range all {
		ids = append(ids, l.ID)
	}
	// As `kubelab class create` does: a class is a burst of small writes.
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = class.CreateQPS, 2*class.CreateQPS
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("bench%d%c", n, rune('a'+i%26))
		start := time.Now()
		res, err := class.Create(ctx, cs, cfg, class.Spec{Name: name, Learners: class.Learners(n), Lessons: ids, OutDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		b.ReportMetric(float64(len(res.Learners))/took.Seconds(), "learners/s")
		b.ReportMetric(float64(1+n*(1+len(ids))), "namespaces")
		b.StopTimer()
		if _, err := class.Delete(ctx, env.Client, name, false); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
