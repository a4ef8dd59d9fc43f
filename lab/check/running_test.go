package check_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/workload"
)

func twoContainers(name string, lbl map[string]string, sidecarEnv ...corev1.EnvVar) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbl},
		Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "app", Image: "kubelab/app:v1"},
			{Name: "sidecar", Image: "kubelab/app:v1", Env: sidecarEnv},
		}},
	}
}

// A running goal sees behaviour: a pod whose spec is right but whose second
// container keeps dying fails it, naming the container; a healthy one passes.
func TestRunningGoalSeesContainersThatDie(t *testing.T) {
	t.Parallel()
	goal := lesson.Goal{ID: "up", Title: "up", Running: &lesson.RunningGoal{Selector: "app=shop", AtLeast: 2}}
	c, cs, ns := start(t, goal)
	ctx := context.Background()
	lbl := map[string]string{"app": "shop"}
	for _, p := range []*corev1.Pod{twoContainers("good", lbl),
		twoContainers("bad", lbl, corev1.EnvVar{Name: workload.EnvCrashAfter, Value: "100ms"})} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	r := await(t, c, "up", "the crashing sidecar named", func(r check.Result) bool {
		return !r.Pass && strings.Contains(r.Actual, "bad: sidecar") && !strings.Contains(r.Actual, "good")
	})
	t.Logf("failing: %s", r.Actual)
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "bad", metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "up", "one healthy pod is not two", func(r check.Result) bool {
		return !r.Pass && strings.Contains(r.Actual, "1 pod(s)")
	})
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, twoContainers("good2", lbl), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "up", "two healthy pods pass", func(r check.Result) bool { return r.Pass })
}

// A running goal about one pod says when the pod is missing, and passes
// once both its containers run and are ready.
func TestRunningGoalAboutOnePod(t *testing.T) {
	t.Parallel()
	goal := lesson.Goal{ID: "up", Title: "up", Running: &lesson.RunningGoal{Pod: "web"}}
	c, cs, ns := start(t, goal)
	await(t, c, "up", "the missing pod is named", func(r check.Result) bool {
		return !r.Pass && strings.Contains(r.Actual, "no pod named web")
	})
	if _, err := cs.CoreV1().Pods(ns).Create(context.Background(), twoContainers("web", nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "up", "both containers running", func(r check.Result) bool { return r.Pass })
}
