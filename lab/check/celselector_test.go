package check_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

// A cel goal with a selector passes when its expression is true of at least
// one matching object, and says when nothing matches.
func TestCELGoalOverASelector(t *testing.T) {
	t.Parallel()
	goal := lesson.Goal{ID: "v2", Title: "a pod runs v2", Expect: "a pod with app=shop runs kubelab/app:v2", CEL: &lesson.CELGoal{
		Kind: "pod", Selector: "app=shop", Expr: "object.spec.containers.exists(c, c.image == 'kubelab/app:v2')",
		Actual: "object.metadata.name + ' runs ' + object.spec.containers[0].image",
	}}
	c, cs, ns := start(t, goal)
	ctx := context.Background()
	await(t, c, "v2", "nothing matches", func(r check.Result) bool {
		return !r.Pass && strings.Contains(r.Actual, "no pod has app=shop")
	})
	pod := func(name, app, image string) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": app}},
			Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}}}
	}
	for _, p := range []*corev1.Pod{pod("a", "shop", "kubelab/app:v1"), pod("other", "web", "kubelab/app:v2")} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	await(t, c, "v2", "a matching pod on v1, and one on v2 that does not match, fail", func(r check.Result) bool {
		return !r.Pass && r.Actual == "a runs kubelab/app:v1"
	})
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("b", "shop", "kubelab/app:v2"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "v2", "one matching pod on v2 passes", func(r check.Result) bool {
		return r.Pass && r.Actual == "b runs kubelab/app:v2"
	})
}
