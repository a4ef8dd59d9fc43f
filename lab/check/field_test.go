package check_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/lesson"
)

// A goal that picks its container by name keeps passing when a sidecar is
// placed first; the same goal written with [0] would now read the sidecar.
func TestFilterPathSurvivesASidecarPlacedFirst(t *testing.T) {
	t.Parallel()
	byName := `{.spec.template.spec.containers[?(@.name=="app")].image}`
	goals := []lesson.Goal{
		{ID: "by-name", Title: "app runs v2", Field: &lesson.FieldGoal{Object: "deployment/web", Path: byName, Equals: ptr("kubelab/app:v2")}},
		{ID: "first", Title: "first runs v2", Field: &lesson.FieldGoal{Object: "deployment/web", Path: "{.spec.template.spec.containers[0].image}", Equals: ptr("kubelab/app:v2")}},
		{ID: "db", Title: "db runs v2", Field: &lesson.FieldGoal{Object: "deployment/web", Path: `{.spec.template.spec.containers[?(@.name=="db")].image}`, Equals: ptr("kubelab/app:v2")}},
	}
	c, cs, ns := start(t, goals...)
	ctx := context.Background()
	d := deployment("web", "kubelab/app:v2", 1, map[string]string{"app": "web"})
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "by-name", "the app container's image", func(r check.Result) bool { return r.Pass })
	await(t, c, "first", "the only container's image", func(r check.Result) bool { return r.Pass })
	r := await(t, c, "db", "no db container", func(r check.Result) bool {
		return !r.Pass && r.Actual != "" && !strings.Contains(r.Actual, "there is no")
	})
	if r.Actual != "deployment/web has no container db's image set" || r.Expected != "deployment/web: container db's image kubelab/app:v2" {
		t.Errorf("a filter that matches nothing reads %+v", r)
	}

	sidecar := corev1.Container{Name: "log", Image: "kubelab/app:v1"}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return err
		}
		d.Spec.Template.Spec.Containers = append([]corev1.Container{sidecar}, d.Spec.Template.Spec.Containers...)
		_, err = cs.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r = await(t, c, "first", "[0] reads the sidecar", func(r check.Result) bool { return !r.Pass })
	if r.Actual != "deployment/web has image kubelab/app:v1" {
		t.Errorf("[0] after the sidecar: %+v", r)
	}
	for _, res := range c.Results() {
		if res.ID == "by-name" && (!res.Pass || res.Actual != "deployment/web has container app's image kubelab/app:v2") {
			t.Errorf("the filter path did not survive the sidecar: %+v", res)
		}
	}
}

// Field prints what `kubectl get -o jsonpath` prints (kubectl's own printer,
// with its default --allow-missing-template-keys), on an object read back
// from the API server.
func TestFieldPrintsWhatKubectlPrints(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	d := deployment("web", "kubelab/app:v1", 2, map[string]string{"app": "web", "tier": "front"})
	d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: "log", Image: "kubelab/app:v2"})
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(clustertest.Cluster(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := dyn.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}).Namespace(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"{.spec.replicas}",
		"{.spec.selector.matchLabels}",
		"{.spec.template.metadata.labels}",
		"{.spec.template.spec.containers[*].image}",
		`{.spec.template.spec.containers[?(@.name=="log")].image}`,
		"{.spec.template.spec.containers[1]}",
		"{.spec.template.spec.containers[0].ports[0].containerPort}",
		"{.spec.strategy.rollingUpdate}",
		"{.metadata.generation}",
	} {
		p, err := printers.NewJSONPathPrinter(path)
		if err != nil {
			t.Fatal(err)
		}
		p.AllowMissingKeys(true)
		var want bytes.Buffer
		if err := p.PrintObj(obj, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := check.Field(obj.Object, path)
		if !ok || got != want.String() || got == "" {
			t.Errorf("%s = %q (set %v); kubectl prints %q", path, got, ok, want.String())
		}
	}
	// Where kubectl prints nothing, the field is not set.
	if got, ok := check.Field(obj.Object, "{.spec.template.spec.nodeName}"); ok || got != "" {
		t.Errorf("an unset field reads %q, set %v", got, ok)
	}
}
