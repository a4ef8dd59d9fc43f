package check_test

import (
	"context"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/lesson"
)

// BenchmarkChangeToGoalUpdate: from a change in the cluster (an object
// created, then deleted) to the checker publishing the goal's new state.
func BenchmarkChangeToGoalUpdate(b *testing.B) {
	g := lesson.Goal{ID: "cm", Title: "cm", Exists: &lesson.ExistsGoal{Kind: "configmap", Name: "probe"}}
	c, cs, ns := start(b, g)
	ctx := context.Background()
	var lat []time.Duration
	waitPass := func(want bool) {
		for {
			select {
			case rs := <-c.Updates():
				if rs[0].Pass == want {
					return
				}
			case <-time.After(10 * time.Second):
				b.Fatalf("no update to pass=%v", want)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "probe"}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		waitPass(true)
		lat = append(lat, time.Since(start))
		start = time.Now()
		if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, "probe", metav1.DeleteOptions{}); err != nil {
			b.Fatal(err)
		}
		waitPass(false)
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
}
