package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/workload"
)

func appEnv(mode string, env ...corev1.EnvVar) []corev1.EnvVar {
	return append([]corev1.EnvVar{{Name: workload.EnvMode, Value: mode}}, env...)
}

func scale(t *testing.T, cs kubernetes.Interface, ns, name string, n int32) {
	t.Helper()
	// The deployment controller writes the object too: on a conflict, read it again.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		s, err := cs.AppsV1().Deployments(ns).GetScale(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		s.Spec.Replicas = n
		_, err = cs.AppsV1().Deployments(ns).UpdateScale(context.Background(), name, s, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Producers faster than the workers make the queue grow and its oldest task
// age; more workers drain it. The figures come through the API server the
// way the TUI reads them.
func TestQueueGrowsThenDrainsWithMoreWorkers(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	q := corev1.EnvVar{Name: workload.EnvQueue, Value: "orders"}
	prod := deployment("producer", "kubelab/app:v1", 1)
	prod.Spec.Template.Spec.Containers[0].Env = appEnv("producer", q, corev1.EnvVar{Name: workload.EnvRate, Value: "20"})
	work := deployment("worker", "kubelab/app:v1", 1)
	work.Spec.Template.Spec.Containers[0].Env = appEnv("worker", q, corev1.EnvVar{Name: workload.EnvRate, Value: "5"})
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, prod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, work, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	col := &scrape.Collector{Client: cs, Config: clustertest.Cluster(t).Config, Simulated: true}
	var first metrics.Snapshot
	clustertest.Eventually(t, 30*time.Second, "a queue of more than 30 tasks, some waiting for 2 s or more", func(ctx context.Context) (bool, string) {
		s, err := col.Collect(ctx, ns)
		if err != nil {
			return false, err.Error()
		}
		if first.At.IsZero() && s.HasQueue {
			first = s
		}
		return s.QueueLength > 30 && s.OldestTaskAge >= 2 && s.Workers == 1, fmt.Sprintf("%+v", s)
	})
	s, err := col.Collect(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if r := metrics.RatesBetween(first, s); r.Produced < 10 || r.Consumed > 8 {
		t.Errorf("rates %+v: want about 20 produced and 5 consumed per second", r)
	}
	scale(t, cs, ns, "worker", 6)
	clustertest.Eventually(t, 40*time.Second, "6 workers drain the queue", func(ctx context.Context) (bool, string) {
		s, err := col.Collect(ctx, ns)
		if err != nil {
			return false, err.Error()
		}
		return s.Workers == 6 && s.QueueLength == 0 && s.OldestTaskAge == 0, fmt.Sprintf("%+v", s)
	})
}

// A load pod's requests are shared by the Service's ready pods; with fewer
// pods each is busier and answers slower.
func TestRequestsSpreadOverServerPodsAndLatencyFollowsLoad(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	web := deployment("web", "kubelab/app:v1", 1)
	web.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvCapacity, Value: "50"}}
	load := deployment("load", "kubelab/app:v1", 1)
	load.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvMode, Value: "load"},
		{Name: workload.EnvTarget, Value: "web"}, {Name: workload.EnvRate, Value: "45"}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"web", "load"} {
		obj := web
		if d == "load" {
			obj = load
		}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	col := &scrape.Collector{Client: cs, Config: clustertest.Cluster(t).Config, Simulated: true}
	var busy metrics.Snapshot
	clustertest.Eventually(t, 30*time.Second, "one busy server pod", func(ctx context.Context) (bool, string) {
		s, err := col.Collect(ctx, ns)
		busy = s
		return err == nil && s.Servers == 1 && s.Requests > 40 && s.LatencyP95 > 0, fmt.Sprintf("%+v %v", s, err)
	})
	scale(t, cs, ns, "web", 3)
	clustertest.Eventually(t, 30*time.Second, "three server pods, each faster", func(ctx context.Context) (bool, string) {
		s, err := col.Collect(ctx, ns)
		return err == nil && s.Servers == 3 && s.LatencyP95 > 0 && s.LatencyP95 < busy.LatencyP95/2,
			fmt.Sprintf("now %+v, busy p95 %.3f %v", s, busy.LatencyP95, err)
	})
}
