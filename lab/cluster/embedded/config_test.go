package embedded_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/workload"
)

// A pod that needs a ConfigMap key that does not exist waits in
// CreateContainerConfigError with the kubelet's message and a Warning
// event; adding the key starts it, as a real kubelet's retry would.
func TestMissingConfigKeyBlocksTheContainerUntilItExists(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "settings"}, Data: map[string]string{"color": "blue"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := pod("needs-config", "kubelab/app:v1")
	p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "GREETING", ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}, Key: "greeting"},
	}}}
	plain := pod("plain", "kubelab/app:v1")
	for _, p := range []*corev1.Pod{p, plain} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	clustertest.Eventually(t, 30*time.Second, "CreateContainerConfigError naming the key", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "needs-config", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		w := p.Status.ContainerStatuses[0].State.Waiting
		ok := w != nil && w.Reason == "CreateContainerConfigError" && strings.Contains(w.Message, "couldn't find key greeting in ConfigMap "+ns+"/settings")
		return ok && p.Status.Phase == corev1.PodPending, fmt.Sprintf("phase %s, state %+v", p.Status.Phase, p.Status.ContainerStatuses[0].State)
	})
	clustertest.Eventually(t, 20*time.Second, "a Warning event that says what is missing", func(ctx context.Context) (bool, string) {
		evs, _ := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=needs-config"})
		var msgs []string
		for _, e := range evs.Items {
			msgs = append(msgs, e.Reason+": "+e.Message)
			if e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, "couldn't find key greeting") {
				return true, ""
			}
		}
		return false, strings.Join(msgs, "; ")
	})
	// A pod without config runs at once: the check does not slow it down.
	waitReadyPods(t, cs, ns, "app=plain", 1)

	cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["greeting"] = "hello"
	if _, err := cs.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReadyPods(t, cs, ns, "app=needs-config", 1)
}

// A Secret mounted as a volume that does not exist keeps the pod in
// ContainerCreating.
func TestMissingSecretVolumeKeepsThePodCreating(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	p := pod("needs-secret", "kubelab/app:v1")
	p.Spec.Volumes = []corev1.Volume{{Name: "creds", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "db-creds"}}}}
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "creds", MountPath: "/etc/creds"}}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "ContainerCreating because the secret is missing", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "needs-secret", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		w := p.Status.ContainerStatuses[0].State.Waiting
		return w != nil && w.Reason == "ContainerCreating" && strings.Contains(w.Message, `secret "db-creds" not found`), fmt.Sprintf("%+v", p.Status.ContainerStatuses[0].State)
	})
	if _, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db-creds"}, StringData: map[string]string{"password": "s3cret"},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitReadyPods(t, cs, ns, "app=needs-secret", 1)
}

// A container that uses more memory than its limit is OOMKilled (exit code
// 137) and restarted; one under its limit runs.
func TestMemoryOverTheLimitIsOOMKilled(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	mk := func(name, limit string) *corev1.Pod {
		p := pod(name, "kubelab/app:v1")
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvMemory, Value: "200Mi"}}
		p.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(limit)}
		return p
	}
	for _, p := range []*corev1.Pod{mk("hungry", "128Mi"), mk("roomy", "256Mi")} {
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	clustertest.Eventually(t, 45*time.Second, "hungry restarted after OOMKilled, exit 137", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "hungry", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		c := p.Status.ContainerStatuses[0]
		last := c.LastTerminationState.Terminated
		return c.RestartCount >= 1 && last != nil && last.Reason == "OOMKilled" && last.ExitCode == 137, fmt.Sprintf("restarts %d, last %+v", c.RestartCount, last)
	})
	waitReadyPods(t, cs, ns, "app=roomy", 1)
	p, err := cs.CoreV1().Pods(ns).Get(ctx, "roomy", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Status.ContainerStatuses[0].RestartCount; n != 0 {
		t.Errorf("roomy, under its limit, restarted %d times", n)
	}
}
