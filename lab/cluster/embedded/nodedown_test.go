package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Not parallel: it takes a shared node down, so it runs before the parallel tests.
func TestNodeDownEvictsPodsAndComesBack(t *testing.T) {
	env := clustertest.Cluster(t)
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	d := deployment("ha", "kubelab/app:v1", 4)
	// One pod per worker at least, so the downed node surely held some.
	d.Spec.Template.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
		MaxSkew: 1, TopologyKey: "kubernetes.io/hostname", WhenUnsatisfiable: corev1.ScheduleAnyway,
		LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "ha"}},
	}}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReadyPods(t, cs, ns, "app=ha", 4)
	onNode := func(node string) []string {
		pods, _ := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=ha"})
		var names []string
		for _, p := range pods.Items {
			if p.Spec.NodeName == node && p.DeletionTimestamp == nil {
				names = append(names, p.Name)
			}
		}
		return names
	}
	if len(onNode(nodes.Worker2)) == 0 {
		t.Fatalf("no pod landed on %s", nodes.Worker2)
	}

	start := time.Now()
	if err := env.Provider.SetNodeRunning(ctx, nodes.Worker2, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Provider.SetNodeRunning(context.Background(), nodes.Worker2, true) })
	clustertest.Eventually(t, 30*time.Second, "node NotReady", func(ctx context.Context) (bool, string) {
		n, err := cs.CoreV1().Nodes().Get(ctx, nodes.Worker2, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status != corev1.ConditionTrue, fmt.Sprintf("Ready=%s", c.Status)
			}
		}
		return false, "no Ready condition"
	})
	t.Logf("node NotReady after %v", time.Since(start).Round(100*time.Millisecond))
	clustertest.Eventually(t, 45*time.Second, "pods rescheduled off the down node", func(ctx context.Context) (bool, string) {
		left := onNode(nodes.Worker2)
		pods, _ := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=ha"})
		ready := 0
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil && podReady(&p) && p.Spec.NodeName != nodes.Worker2 {
				ready++
			}
		}
		return len(left) == 0 && ready == 4, fmt.Sprintf("still on %s: %v; ready elsewhere: %d", nodes.Worker2, left, ready)
	})
	t.Logf("pods rescheduled after %v", time.Since(start).Round(100*time.Millisecond))

	if err := env.Provider.SetNodeRunning(ctx, nodes.Worker2, true); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "node Ready again, untainted", func(ctx context.Context) (bool, string) {
		n, err := cs.CoreV1().Nodes().Get(ctx, nodes.Worker2, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		ready := false
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		return ready && len(n.Spec.Taints) == 0, fmt.Sprintf("ready=%v taints=%v", ready, n.Spec.Taints)
	})
}
