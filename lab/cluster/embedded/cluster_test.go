package embedded_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
	"github.com/kubelab/kubelab/lab/workload"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

func TestThreeNodesNamedLikeKind(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	got, err := cluster.ListNodes(context.Background(), env.Client.CoreV1().Nodes())
	if err != nil {
		t.Fatal(err)
	}
	want := []cluster.Node{
		{Name: nodes.ControlPlane, Roles: []string{"control-plane"}, Ready: true},
		{Name: nodes.Worker, Ready: true},
		{Name: nodes.Worker2, Ready: true},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("nodes = %v, want %v", got, want)
	}
	cp, err := env.Client.CoreV1().Nodes().Get(context.Background(), nodes.ControlPlane, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cp.Spec.Taints) != 1 || cp.Spec.Taints[0].Effect != corev1.TaintEffectNoSchedule {
		t.Fatalf("control-plane taints = %v, want one NoSchedule taint as on kind", cp.Spec.Taints)
	}
}

func TestDeploymentRunsSelfHealsRollsOutAndBack(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	dep := deployment("web", "nginx:1.27", 3)
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ips := waitReadyPods(t, cs, ns, "app=web", 3)
	for _, ip := range ips {
		if !strings.HasPrefix(ip, "10.244.") {
			t.Errorf("pod IP %s is not from a node's podCIDR (10.244.0.0/16)", ip)
		}
	}

	// Self-healing: a deleted pod is replaced.
	pods, _ := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	victim := pods.Items[0].Name
	if err := cs.CoreV1().Pods(ns).Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "a replacement pod", func(ctx context.Context) (bool, string) {
		pods, _ := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
		ready, names := 0, []string{}
		for _, p := range pods.Items {
			names = append(names, p.Name)
			if p.Name != victim && podReady(&p) {
				ready++
			}
		}
		return ready == 3, fmt.Sprintf("pods %v", names)
	})

	// Rolling update to a new image, then rollback to the first revision.
	setImage(t, cs, ns, "web", "nginx:1.28")
	waitRolledOut(t, cs, ns, "web", "nginx:1.28")
	setImage(t, cs, ns, "web", "nginx:1.27")
	waitRolledOut(t, cs, ns, "web", "nginx:1.27")
	rss, err := cs.AppsV1().ReplicaSets(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rss.Items) != 2 {
		t.Fatalf("ReplicaSets = %d, want 2 (the rollback reuses the first)", len(rss.Items))
	}
}

func TestServiceGetsEndpointSlicesWithPodIPs(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("api", "kubelab/app:v1", 2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "api"},
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{"app": "api"},
			Ports:    []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}},
		},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ips := waitReadyPods(t, cs, ns, "app=api", 2)
	clustertest.Eventually(t, 30*time.Second, "EndpointSlice with both pod IPs", func(ctx context.Context) (bool, string) {
		slices, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=api"})
		if err != nil {
			return false, err.Error()
		}
		var got []string
		for _, s := range slices.Items {
			for _, e := range s.Endpoints {
				if e.Conditions.Ready != nil && *e.Conditions.Ready {
					got = append(got, e.Addresses...)
				}
			}
		}
		return sameSet(got, ips), fmt.Sprintf("ready endpoints %v, pod IPs %v", got, ips)
	})
}

func TestHostPathVolumeAndClaimBind(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	pvName := "pv-" + ns
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: pvName},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              "manual-" + ns,
			PersistentVolumeSource:        corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + pvName}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().PersistentVolumes().Delete(context.Background(), pvName, metav1.DeleteOptions{})
	})
	class := "manual-" + ns
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: &class,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("500Mi")}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "claim bound to the hostPath volume", func(ctx context.Context) (bool, string) {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "data", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return c.Status.Phase == corev1.ClaimBound && c.Spec.VolumeName == pvName, fmt.Sprintf("phase %s volume %q", c.Status.Phase, c.Spec.VolumeName)
	})
}

func TestUnknownImageShowsImagePullBackOff(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("typo", "nginx:lates"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	clustertest.Eventually(t, 30*time.Second, "ErrImagePull then ImagePullBackOff", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "typo", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		reason := waitingReason(p)
		seen[reason] = true
		return seen["ErrImagePull"] && seen["ImagePullBackOff"] && p.Status.Phase == corev1.PodPending, fmt.Sprintf("phase %s, reasons seen %v", p.Status.Phase, seen)
	})
	clustertest.Eventually(t, 20*time.Second, "a Warning event naming the image", func(ctx context.Context) (bool, string) {
		evs, _ := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=typo"})
		var msgs []string
		for _, e := range evs.Items {
			msgs = append(msgs, e.Type+" "+e.Reason+": "+e.Message)
			if e.Type == corev1.EventTypeWarning && e.Reason == "Failed" && strings.Contains(e.Message, `"nginx:lates"`) {
				return true, ""
			}
		}
		return false, strings.Join(msgs, "; ")
	})
	// The learner fixes the typo on the pod itself (kubectl set image
	// pod/typo app=nginx:latest): the kubelet pulls the new image and the
	// pod runs, keeping its IP, with no restart counted.
	before, err := cs.CoreV1().Pods(ns).Get(ctx, "typo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	patch := []byte(`{"spec":{"containers":[{"name":"app","image":"nginx:latest"}]}}`)
	if _, err := cs.CoreV1().Pods(ns).Patch(ctx, "typo", types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "the pod runs once its image is fixed", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "typo", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		if p.Status.Phase != corev1.PodRunning || !podReady(p) {
			return false, fmt.Sprintf("phase %s, waiting %q, statuses %+v", p.Status.Phase, waitingReason(p), p.Status.ContainerStatuses)
		}
		if p.Status.PodIP != before.Status.PodIP || len(p.Status.PodIPs) != 1 || p.Status.ContainerStatuses[0].RestartCount != 0 {
			t.Fatalf("running with IP %s (%v, was %s), %d restarts", p.Status.PodIP, p.Status.PodIPs, before.Status.PodIP, p.Status.ContainerStatuses[0].RestartCount)
		}
		return true, ""
	})
}

func TestCrashingContainerLoopsWithGrowingRestarts(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	p := pod("crasher", "kubelab/app:v1")
	p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvCrashAfter, Value: "1s"}}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sawBackOff, sawRestarted := false, false
	clustertest.Eventually(t, 45*time.Second, "CrashLoopBackOff with 2 restarts", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "crasher", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		c := p.Status.ContainerStatuses[0]
		if waitingReason(p) == "CrashLoopBackOff" {
			sawBackOff = true
		}
		if c.State.Running != nil && c.RestartCount > 0 {
			sawRestarted = true
			// Restarted, it still shows how its last run ended (kubectl describe, logs --previous).
			if last := c.LastTerminationState.Terminated; last == nil || last.ExitCode != 1 {
				t.Fatalf("restarted container lost its last state: %+v", c.LastTerminationState)
			}
		}
		return sawBackOff && sawRestarted && c.RestartCount >= 2, fmt.Sprintf("reason %q restarts %d", waitingReason(p), c.RestartCount)
	})
}

func TestReadinessFailureIsRunningButNotReady(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	probe := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz", Port: intstr.FromInt32(8080)}}}
	unready := pod("unready", "kubelab/app:v1")
	unready.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvReady, Value: "false"}}
	unready.Spec.Containers[0].ReadinessProbe = probe
	ready := pod("ready", "kubelab/app:v1")
	ready.Spec.Containers[0].ReadinessProbe = probe
	for _, p := range []*corev1.Pod{unready, ready} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	clustertest.Eventually(t, 30*time.Second, "both pods Running, only one Ready", func(ctx context.Context) (bool, string) {
		a, err1 := cs.CoreV1().Pods(ns).Get(ctx, "unready", metav1.GetOptions{})
		b, err2 := cs.CoreV1().Pods(ns).Get(ctx, "ready", metav1.GetOptions{})
		if err1 != nil || err2 != nil {
			return false, fmt.Sprint(err1, err2)
		}
		ok := a.Status.Phase == corev1.PodRunning && !podReady(a) && b.Status.Phase == corev1.PodRunning && podReady(b)
		return ok, fmt.Sprintf("unready: %s ready=%v; ready: %s ready=%v", a.Status.Phase, podReady(a), b.Status.Phase, podReady(b))
	})
}

func TestLogsDescribeThePod(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod("hello", "kubelab/app:v2"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReadyPods(t, cs, ns, "app=hello", 1)
	out, err := cs.CoreV1().Pods(ns).GetLogs("hello", &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("logs: %v", err)
	}
	for _, want := range []string{"kubelab-app v2 starting", "pod=hello", "namespace=" + ns} {
		if !strings.Contains(string(out), want) {
			t.Errorf("logs lack %q:\n%s", want, out)
		}
	}
	_, err = cs.CoreV1().Pods(ns).GetLogs("hello", &corev1.PodLogOptions{Previous: true}).Stream(ctx)
	if !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), "previous terminated container") {
		t.Errorf("logs --previous of a pod that never restarted: err = %v, want 'previous terminated container ... not found'", err)
	}
}

func deployment(name, image string, replicas int32) *appsv1.Deployment {
	l := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			},
		},
	}
}

func pod(name, image string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func waitingReason(p *corev1.Pod) string {
	for _, c := range p.Status.ContainerStatuses {
		if c.State.Waiting != nil {
			return c.State.Waiting.Reason
		}
	}
	return ""
}

// waitReadyPods waits for n Ready pods matching selector and returns their IPs.
func waitReadyPods(t *testing.T, cs kubernetes.Interface, ns, selector string, n int) []string {
	t.Helper()
	var ips []string
	clustertest.Eventually(t, 30*time.Second, fmt.Sprintf("%d ready pods %s", n, selector), func(ctx context.Context) (bool, string) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err != nil {
			return false, err.Error()
		}
		ips = ips[:0]
		var states []string
		for _, p := range pods.Items {
			states = append(states, fmt.Sprintf("%s:%s/ready=%v", p.Name, p.Status.Phase, podReady(&p)))
			if podReady(&p) && p.DeletionTimestamp == nil {
				ips = append(ips, p.Status.PodIP)
			}
		}
		return len(ips) == n && len(pods.Items) == n, strings.Join(states, " ")
	})
	return ips
}

func setImage(t *testing.T, cs kubernetes.Interface, ns, name, image string) {
	t.Helper()
	// A patch, as kubectl set image sends: no conflict with the controllers' writes.
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"app","image":%q}]}}}}`, image)
	if _, err := cs.AppsV1().Deployments(ns).Patch(context.Background(), name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitRolledOut waits as `kubectl rollout status` does, then checks every pod runs image.
func waitRolledOut(t *testing.T, cs kubernetes.Interface, ns, name, image string) {
	t.Helper()
	clustertest.Eventually(t, 45*time.Second, "rollout of "+image, func(ctx context.Context) (bool, string) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		want := *d.Spec.Replicas
		st := d.Status
		done := d.Generation <= st.ObservedGeneration && st.UpdatedReplicas == want && st.Replicas == want && st.AvailableReplicas == want
		if done {
			pods, _ := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.Set(d.Spec.Selector.MatchLabels).String()})
			for _, p := range pods.Items {
				if p.DeletionTimestamp == nil && p.Spec.Containers[0].Image != image {
					done = false
				}
			}
		}
		return done, fmt.Sprintf("updated %d replicas %d available %d of %d", st.UpdatedReplicas, st.Replicas, st.AvailableReplicas, want)
	})
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
