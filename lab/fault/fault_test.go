package fault_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/fault"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

func env(t *testing.T) (fault.Env, kubernetes.Interface) {
	cs, ns := clustertest.Namespace(t)
	return fault.Env{Client: cs, Namespace: ns, Owned: true, Machine: clustertest.Cluster(t).Provider}, cs
}

func inject(t *testing.T, e fault.Env, kind string, params map[string]string) {
	t.Helper()
	f, err := fault.New(kind, params)
	if err != nil {
		t.Fatal(err)
	}
	if err := fault.Inject(context.Background(), f, e); err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
}

func web(t *testing.T, cs kubernetes.Interface, ns string) {
	t.Helper()
	replicas := int32(2)
	l := map[string]string{"app": "web"}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
		Replicas: &replicas, Selector: &metav1.LabelSelector{MatchLabels: l},
		Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Ports: []corev1.ContainerPort{{ContainerPort: 8080}}}}}}}}
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{Selector: l,
		Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	if _, err := cs.CoreV1().Services(ns).Create(context.Background(), svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestDeploymentAndServiceFaults(t *testing.T) {
	t.Parallel()
	e, cs := env(t)
	web(t, cs, e.Namespace)
	ctx := context.Background()

	inject(t, e, "bad-image", map[string]string{"deployment": "web"})
	d, _ := cs.AppsV1().Deployments(e.Namespace).Get(ctx, "web", metav1.GetOptions{})
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "kubelab/app:v9" {
		t.Errorf("bad-image left image %s", img)
	}
	// The fault has happened only once the controller has seen it: a
	// ReplicaSet for the bad image exists, so `rollout undo` goes back to v1
	// (not to the revision before that).
	if d.Status.ObservedGeneration < d.Generation {
		t.Errorf("bad-image returned before the controller saw it: observed generation %d of %d", d.Status.ObservedGeneration, d.Generation)
	}
	rss, err := cs.AppsV1().ReplicaSets(e.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, rs := range rss.Items {
		images = append(images, rs.Spec.Template.Spec.Containers[0].Image)
	}
	// The deployment was created a moment before the fault: its good
	// revision must still come first, or `rollout undo` finds no history.
	if !slices.Contains(images, "kubelab/app:v9") || !slices.Contains(images, "kubelab/app:v1") {
		t.Errorf("want ReplicaSets for the good and the bad image; ReplicaSets run %v", images)
	}
	inject(t, e, "scale-to-zero", map[string]string{"deployment": "web"})
	d, _ = cs.AppsV1().Deployments(e.Namespace).Get(ctx, "web", metav1.GetOptions{})
	if *d.Spec.Replicas != 0 {
		t.Errorf("replicas = %d", *d.Spec.Replicas)
	}
	inject(t, e, "break-selector", map[string]string{"service": "web"})
	svc, _ := cs.CoreV1().Services(e.Namespace).Get(ctx, "web", metav1.GetOptions{})
	if svc.Spec.Selector["app"] != "web-typo" {
		t.Errorf("selector = %v", svc.Spec.Selector)
	}
	inject(t, e, "wrong-target-port", map[string]string{"service": "web", "port": "9090"})
	svc, _ = cs.CoreV1().Services(e.Namespace).Get(ctx, "web", metav1.GetOptions{})
	if svc.Spec.Ports[0].TargetPort.IntValue() != 9090 {
		t.Errorf("targetPort = %v", svc.Spec.Ports[0].TargetPort)
	}
}

func TestDeletePodsConfigMapAndClaim(t *testing.T) {
	t.Parallel()
	e, cs := env(t)
	web(t, cs, e.Namespace)
	ctx := context.Background()
	clustertest.Eventually(t, 30*time.Second, "two pods", func(ctx context.Context) (bool, string) {
		pods, _ := cs.CoreV1().Pods(e.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		return len(pods.Items) == 2, ""
	})
	before, _ := cs.CoreV1().Pods(e.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	inject(t, e, "delete-pods", map[string]string{"selector": "app=web", "count": "1"})
	gone := 0
	for _, p := range before.Items {
		got, err := cs.CoreV1().Pods(e.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
		if err != nil || got.DeletionTimestamp != nil {
			gone++
		}
	}
	if gone != 1 {
		t.Errorf("delete-pods count=1 removed %d pods", gone)
	}

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "settings"}}
	if _, err := cs.CoreV1().ConfigMaps(e.Namespace).Create(ctx, cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	inject(t, e, "delete-configmap", map[string]string{"name": "settings"})
	if _, err := cs.CoreV1().ConfigMaps(e.Namespace).Get(ctx, "settings", metav1.GetOptions{}); err == nil {
		t.Error("configmap still there")
	}

	inject(t, e, "unbindable-pvc", map[string]string{"name": "data"})
	time.Sleep(2 * time.Second)
	pvc, err := cs.CoreV1().PersistentVolumeClaims(e.Namespace).Get(ctx, "data", metav1.GetOptions{})
	if err != nil || pvc.Status.Phase != corev1.ClaimPending {
		t.Errorf("claim = %v, %v; want Pending", pvc.Status.Phase, err)
	}
}

// A killed container is restarted by the kubelet in the same pod: the pod
// keeps its name, its restart count goes up and its last state says exit
// code 137 (128 + SIGKILL), as `kubectl describe pod` shows on a real node.
func TestKillContainerRestartsItInTheSamePod(t *testing.T) {
	t.Parallel()
	e, cs := env(t)
	web(t, cs, e.Namespace)
	// Injected while the pods are still being created: the fault waits for
	// a running container.
	inject(t, e, "kill-container", map[string]string{"selector": "app=web"})
	var killed string
	clustertest.Eventually(t, 30*time.Second, "one pod restarted after exit code 137, running again", func(ctx context.Context) (bool, string) {
		pods, err := cs.CoreV1().Pods(e.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		if err != nil {
			return false, err.Error()
		}
		var states []string
		restarted := 0
		for _, p := range pods.Items {
			for _, c := range p.Status.ContainerStatuses {
				last := c.LastTerminationState.Terminated
				states = append(states, fmt.Sprintf("%s: restarts %d, last %+v, running %v", p.Name, c.RestartCount, last, c.State.Running != nil))
				if c.RestartCount == 1 && last != nil && last.ExitCode == 137 && c.State.Running != nil {
					restarted++
					killed = p.Name
				}
			}
		}
		return restarted == 1 && len(pods.Items) == 2, strings.Join(states, "; ")
	})
	clustertest.Eventually(t, 30*time.Second, "Started event for the restarted container", func(ctx context.Context) (bool, string) {
		evs, err := cs.CoreV1().Events(e.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + killed + ",reason=Started"})
		if err != nil {
			return false, err.Error()
		}
		n := int32(0)
		for _, ev := range evs.Items {
			n += max(ev.Count, 1)
		}
		return n >= 2, fmt.Sprintf("%d Started events", n)
	})

	noKiller := e
	noKiller.Machine = nil
	f, err := fault.New("kill-container", map[string]string{"selector": "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fault.Inject(context.Background(), f, noKiller); err == nil {
		t.Error("kill-container without a way to kill containers succeeded")
	}
}

// Struck is heard once, when the damage is done: after a bad image is seen
// by its controller, and after the first round of a repeating fault, while
// the fault goes on.
func TestStruckIsHeardOnceTheDamageIsDone(t *testing.T) {
	t.Parallel()
	e, cs := env(t)
	web(t, cs, e.Namespace)
	ctx := context.Background()

	var heard []string
	e.Struck = func() {
		d, err := cs.AppsV1().Deployments(e.Namespace).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			heard = append(heard, err.Error())
			return
		}
		heard = append(heard, fmt.Sprintf("%s observed=%v", d.Spec.Template.Spec.Containers[0].Image, d.Status.ObservedGeneration >= d.Generation))
	}
	inject(t, e, "bad-image", map[string]string{"deployment": "web"})
	if want := []string{"kubelab/app:v9 observed=true"}; !slices.Equal(heard, want) {
		t.Errorf("bad-image: Struck heard %q, want %q", heard, want)
	}

	struck := make(chan struct{}, 10)
	e.Struck = func() { struck <- struct{}{} }
	f, err := fault.New("delete-pods", map[string]string{"selector": "app=web", "times": "3", "every": "1s"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fault.Inject(ctx, f, e) }()
	select {
	case <-struck:
	case err := <-done:
		t.Fatalf("delete-pods x3 ended (%v) before Struck was heard", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(struck); n != 0 {
		t.Errorf("Struck heard %d more times", n)
	}
}

func TestRefusesClustersAndNamespacesKubelabDoesNotOwn(t *testing.T) {
	t.Parallel()
	e, _ := env(t)
	f, err := fault.New("scale-to-zero", map[string]string{"deployment": "web"})
	if err != nil {
		t.Fatal(err)
	}
	notOwned := e
	notOwned.Owned = false
	if err := fault.Inject(context.Background(), f, notOwned); !errors.Is(err, fault.ErrNotOwned) {
		t.Errorf("not owned: err = %v", err)
	}
	userNS := e
	userNS.Namespace = "default"
	if err := fault.Inject(context.Background(), f, userNS); err == nil || !strings.Contains(err.Error(), "lesson namespaces") {
		t.Errorf("default namespace: err = %v", err)
	}
}

func TestParametersAreChecked(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"meteor":         {},
		"delete-pods":    {"count": "1"},
		"node-down":      {"node": "my-laptop"},
		"bad-image":      {"deployment": "web", "colour": "red"},
		"kill-container": {"selector": "app=web", "count": "many"},
	}
	for kind, p := range cases {
		if err := fault.Validate(kind, p); err == nil {
			t.Errorf("Validate(%s, %v) accepted", kind, p)
		}
	}
	if err := fault.Validate("node-down", map[string]string{"node": "kubelab-worker", "for": "10s"}); err != nil {
		t.Errorf("valid node-down refused: %v", err)
	}
}
