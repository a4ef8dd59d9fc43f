package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/workload"
)

// As on kind: a claim that names no class gets the default class
// "standard", waits for its first pod, and is bound to a volume made on
// that pod's node; deleting the claim deletes the volume.
func TestDefaultClassProvisionsOnTheFirstPodsNode(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "photos"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	if _, err := cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	got, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "photos", metav1.GetOptions{})
	if err != nil || got.Spec.StorageClassName == nil || *got.Spec.StorageClassName != "standard" || got.Status.Phase != corev1.ClaimPending {
		t.Fatalf("before any pod uses it the claim is %+v (%v); want class standard, Pending", got.Spec.StorageClassName, err)
	}
	p := pod("gallery", "kubelab/app:v1")
	p.Spec.Volumes = []corev1.Volume{{Name: "photos", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "photos"}}}}
	p.Spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: "photos", MountPath: "/photos"}}
	if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var volume string
	clustertest.Eventually(t, 60*time.Second, "the claim bound to a volume on the pod's node, the pod ready", func(ctx context.Context) (bool, string) {
		c, err := cs.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "photos", metav1.GetOptions{})
		if err != nil || c.Status.Phase != corev1.ClaimBound {
			return false, fmt.Sprintf("claim %v %v", c.Status.Phase, err)
		}
		volume = c.Spec.VolumeName
		pv, err := cs.CoreV1().PersistentVolumes().Get(ctx, volume, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		po, err := cs.CoreV1().Pods(ns).Get(ctx, "gallery", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		node := ""
		if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil {
			node = a.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0]
		}
		return node == po.Spec.NodeName && podReady(po), fmt.Sprintf("volume on %q, pod on %q, ready %v", node, po.Spec.NodeName, podReady(po))
	})
	if err := cs.CoreV1().Pods(ns).Delete(ctx, "gallery", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().PersistentVolumeClaims(ns).Delete(ctx, "photos", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 60*time.Second, "the volume deleted with its claim", func(ctx context.Context) (bool, string) {
		_, err := cs.CoreV1().PersistentVolumes().Get(ctx, volume, metav1.GetOptions{})
		return err != nil, fmt.Sprintf("volume %s still there", volume)
	})
}

// A lesson app that hangs (KUBELAB_HANG_AFTER) is left alone by a
// readiness probe (not ready, no restart) and restarted by a liveness
// probe, its killed run ending with exit code 143.
func TestHungAppIsRestartedOnlyByALivenessProbe(t *testing.T) {
	t.Parallel()
	cs, ns := clustertest.Namespace(t)
	ctx := context.Background()
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(8080)}},
			PeriodSeconds: 1, FailureThreshold: 2}
	}
	for _, name := range []string{"readiness", "liveness"} {
		p := pod(name, "kubelab/app:v1")
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvHangAfter, Value: "3s"}}
		p.Spec.Containers[0].ReadinessProbe = probe("/readyz")
		if name == "liveness" {
			p.Spec.Containers[0].LivenessProbe = probe("/healthz")
		}
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	clustertest.Eventually(t, 60*time.Second, "the liveness probe restarts its hung app", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, "liveness", metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		st := p.Status.ContainerStatuses[0]
		last := st.LastTerminationState.Terminated
		return st.RestartCount >= 1 && last != nil && last.ExitCode == workload.HungExitCode, fmt.Sprintf("restarts %d, last %+v", st.RestartCount, last)
	})
	// The readiness probe takes it out of its Services (its own failures
	// since the hang, which may come after the other pod's restart), and
	// nothing restarts it.
	clustertest.Eventually(t, 30*time.Second, "the readiness probe marks its hung app not ready", func(ctx context.Context) (bool, string) {
		r, err := cs.CoreV1().Pods(ns).Get(ctx, "readiness", metav1.GetOptions{})
		if err != nil || len(r.Status.ContainerStatuses) == 0 {
			return false, fmt.Sprint(err)
		}
		st := r.Status.ContainerStatuses[0]
		if st.RestartCount != 0 {
			t.Fatalf("with only a readiness probe the hung app was restarted (%d)", st.RestartCount)
		}
		return !st.Ready && !podReady(r), fmt.Sprintf("ready %v", st.Ready)
	})
	time.Sleep(5 * time.Second) // well past a liveness probe's two failures
	r, err := cs.CoreV1().Pods(ns).Get(ctx, "readiness", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := r.Status.ContainerStatuses[0]; st.RestartCount != 0 || st.Ready {
		t.Errorf("with only a readiness probe the hung app has restarts %d, ready %v; want 0, not ready", st.RestartCount, st.Ready)
	}
}
