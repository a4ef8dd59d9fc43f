package check_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/lesson"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

func ptr[T any](v T) *T { return &v }

// start runs a checker for goals in a fresh namespace.
func start(t testing.TB, goals ...lesson.Goal) (*check.Checker, kubernetes.Interface, string) {
	t.Helper()
	cs, ns := clustertest.Namespace(t)
	dyn, err := dynamic.NewForConfig(clustertest.Cluster(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	c, err := check.New(dyn, ns, goals)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go c.Run(ctx)
	<-c.Synced()
	return c, cs, ns
}

// await waits until goal id's result satisfies ok, failing with the last one seen.
func await(t *testing.T, c *check.Checker, id string, what string, ok func(check.Result) bool) check.Result {
	t.Helper()
	var last check.Result
	clustertest.Eventually(t, 30*time.Second, what, func(context.Context) (bool, string) {
		for _, r := range c.Results() {
			if r.ID == id {
				last = r
				if ok(r) {
					return true, ""
				}
			}
		}
		return false, fmt.Sprintf("%+v", last)
	})
	return last
}

func deployment(name, image string, replicas int32, lbl map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image,
					Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}}},
			},
		},
	}
}

func TestFieldGoalSaysHowManyAndWants(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "ready", Title: "3 ready", Field: &lesson.FieldGoal{Object: "deployment/web", Path: "{.status.readyReplicas}", AtLeast: ptr(3.0)}}
	c, cs, ns := start(t, g)
	r := await(t, c, "ready", "missing deployment", func(r check.Result) bool { return !r.Pass })
	if !strings.Contains(r.Actual, "there is no deployment named web") {
		t.Errorf("actual = %q", r.Actual)
	}
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", "nginx:lates", 3, map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r = await(t, c, "ready", "0 ready", func(r check.Result) bool { return strings.Contains(r.Actual, "has 0 ready replicas") })
	if r.Pass || r.Actual != "deployment/web has 0 ready replicas, wants at least 3" || r.Expected != "deployment/web: ready replicas at least 3" {
		t.Errorf("result = %+v", r)
	}
	patch := `{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}`
	if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "web", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "ready", "3 ready passes", func(r check.Result) bool { return r.Pass })
}

func TestServiceGoalExplainsABrokenSelector(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "svc", Title: "svc", ServiceReady: &lesson.ServiceGoal{Service: "web", AtLeast: 2}}
	c, cs, ns := start(t, g)
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", "kubelab/app:v1", 2, map[string]string{"app": "webapp"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := await(t, c, "svc", "broken selector explained", func(r check.Result) bool {
		return r.Actual == "service/web selects app=web; no pod has that label (pods have app=webapp)"
	})
	if r.Pass {
		t.Fatal("passes with a broken selector")
	}
	// A wrong targetPort is named too.
	fix := `{"spec":{"selector":{"app":"webapp"},"ports":[{"port":80,"targetPort":9999}]}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "web", types.StrategicMergePatchType, []byte(fix), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "svc", "wrong port explained", func(r check.Result) bool {
		return !r.Pass && r.Actual == "service/web sends traffic to port 9999, but its pods listen on 8080"
	})
	fix = `{"spec":{"ports":[{"port":80,"targetPort":8080}]}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "web", types.MergePatchType, []byte(fix), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "svc", "service passes", func(r check.Result) bool { return r.Pass })
}

func TestCountGoalNamesWhyPodsAreNotCounted(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "n", Title: "n", Count: &lesson.CountGoal{Kind: "pod", Selector: "app=api", Ready: true, AtLeast: ptr(2)}}
	c, cs, ns := start(t, g)
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", "kubelab/app:v7", 2, map[string]string{"app": "api"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := await(t, c, "n", "pull errors named", func(r check.Result) bool {
		return strings.Count(r.Actual, "ImagePullBackOff")+strings.Count(r.Actual, "ErrImagePull") == 2
	})
	if r.Pass || !strings.HasPrefix(r.Actual, "0 ready pods with app=api; not counted: api-") {
		t.Errorf("result = %+v", r)
	}
}

func TestConditionAndCELGoals(t *testing.T) {
	t.Parallel()
	goals := []lesson.Goal{
		{ID: "avail", Title: "available", Condition: &lesson.ConditionGoal{Object: "deployment/web", Type: "Available"}},
		{ID: "cel", Title: "cel", Expect: "deployment/web wants 2 replicas", CEL: &lesson.CELGoal{Kind: "deployment", Name: "web", Expr: "object.spec.replicas == 2",
			Actual: "'deployment/web wants ' + string(object.spec.replicas)"}},
	}
	c, cs, ns := start(t, goals...)
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", "nginx", 1, map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "avail", "Available=True", func(r check.Result) bool { return r.Pass && r.Actual == "deployment/web Available=True" })
	r := await(t, c, "cel", "cel failing with actual", func(r check.Result) bool { return r.Actual == "deployment/web wants 1" })
	if r.Pass || r.Expected != "deployment/web wants 2 replicas" {
		t.Errorf("cel result = %+v", r)
	}
	if _, err := cs.AppsV1().Deployments(ns).Patch(ctx, "web", types.MergePatchType, []byte(`{"spec":{"replicas":2}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "cel", "cel passes", func(r check.Result) bool { return r.Pass })
}

func TestHoldPassesOnlyAfterHolding(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "h", Title: "held", Hold: "2s", Exists: &lesson.ExistsGoal{Kind: "configmap", Name: "flag"}}
	c, cs, ns := start(t, g)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "flag"}}
	created := time.Now()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := await(t, c, "h", "holding", func(r check.Result) bool { return !r.Pass && strings.Contains(r.Actual, "held for") })
	if r.Expected != "configmap/flag exists, for 2s" {
		t.Errorf("expected = %q", r.Expected)
	}
	await(t, c, "h", "held", func(r check.Result) bool { return r.Pass })
	if took := time.Since(created); took < 2*time.Second {
		t.Fatalf("passed after %v, before the 2s hold", took)
	}
}

func TestExistsBySelectorShowsOtherLabels(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "e", Title: "e", Exists: &lesson.ExistsGoal{Kind: "configmap", Selector: "tier=db"}}
	c, cs, ns := start(t, g)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Labels: map[string]string{"tier": "cache"}}}
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "e", "other labels shown", func(r check.Result) bool {
		return !r.Pass && r.Actual == "no configmap has tier=db (configmaps have tier=cache)"
	})
}

// kubelab knows its own app: a Service whose targetPort misses the port the
// lesson app's mode serves on is caught even when the pods declare no port
// (`kubectl create deployment` declares none); another image gets the
// benefit of the doubt.
func TestServiceGoalKnowsTheLessonAppsPort(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "svc", Title: "svc", ServiceReady: &lesson.ServiceGoal{Service: "shop", AtLeast: 2}}
	c, cs, ns := start(t, g)
	ctx := context.Background()
	shop := deployment("shop", "kubelab/app:v1", 2, map[string]string{"app": "shop"})
	shop.Spec.Template.Spec.Containers[0].Ports = nil
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, shop, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// What `kubectl expose deployment shop --port=80` makes: targetPort 80.
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "shop"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "shop"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(80)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "svc", "the app's own port named", func(r check.Result) bool {
		return !r.Pass && r.Actual == "service/shop sends traffic to port 80, but its pods listen on 8080"
	})
	fix := `{"spec":{"ports":[{"port":80,"targetPort":8080}]}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "shop", types.MergePatchType, []byte(fix), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "svc", "service passes on the app's port", func(r check.Result) bool { return r.Pass })
	// An image kubelab does not know, declaring no port: not judged.
	other := deployment("other", "nginx", 2, map[string]string{"app": "other"})
	other.Spec.Template.Spec.Containers[0].Ports = nil
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sel := `{"spec":{"selector":{"app":"other"},"ports":[{"port":80,"targetPort":80}]}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "shop", types.MergePatchType, []byte(sel), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	await(t, c, "svc", "other image given the benefit of the doubt", func(r check.Result) bool {
		return !strings.Contains(r.Actual, "sends traffic to port") && strings.Contains(r.Actual, "selects") && strings.Contains(r.Actual, "app=other")
	})
}

// A quiet goal says whether it passes, never what is wrong.
func TestQuietGoalKeepsItsDiagnosis(t *testing.T) {
	t.Parallel()
	g := lesson.Goal{ID: "svc", Title: "svc", Quiet: true, ServiceReady: &lesson.ServiceGoal{Service: "web", AtLeast: 2}}
	c, cs, ns := start(t, g)
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", "kubelab/app:v1", 2, map[string]string{"app": "webapp"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "web"}, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	r := await(t, c, "svc", "a quiet failure", func(r check.Result) bool { return !r.Pass })
	if r.Actual != "not yet" {
		t.Errorf("a quiet goal's now line is %q, want \"not yet\" (not the broken selector)", r.Actual)
	}
	fix := `{"spec":{"selector":{"app":"webapp"}}}`
	if _, err := cs.CoreV1().Services(ns).Patch(ctx, "web", types.MergePatchType, []byte(fix), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := await(t, c, "svc", "the quiet goal passes", func(r check.Result) bool { return r.Pass }); r.Actual != "yes" {
		t.Errorf("passing, a quiet goal's now line is %q, want \"yes\"", r.Actual)
	}
}
