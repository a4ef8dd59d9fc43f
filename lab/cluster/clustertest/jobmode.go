package clustertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/workload"
)

// jobModeUnderAlwaysRestarts: a Deployment's pod (restartPolicy Always)
// running the lesson app in job mode is not done when the app is: its
// container exits 0 and the kubelet restarts it, then backs off. The pod
// stays Running, its container in CrashLoopBackOff with last state
// terminated, exit code 0, reason Completed, and its restarts grow.
func jobModeUnderAlwaysRestarts(t *testing.T, cs kubernetes.Interface, ns string, _ cluster.Machine) {
	one := int32(1)
	lbl := map[string]string{"app": "batch"}
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "batch"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: lbl},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: lbl},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "app", Image: workload.AppRepo + ":v1", Env: jobEnv("0s"),
				}}},
			},
		},
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(context.Background(), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment batch: %v", err)
	}
	backedOff := false
	Eventually(t, 2*time.Minute, "the pod's container exited 0 (Completed), restarted, and in CrashLoopBackOff", func(ctx context.Context) (bool, string) {
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=batch"})
		if err != nil {
			return false, err.Error()
		}
		if len(pods.Items) != 1 {
			return false, fmt.Sprintf("%d pods", len(pods.Items))
		}
		p := pods.Items[0]
		c, _ := appStatus(&p)
		if p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			t.Fatalf("a restartPolicy Always pod ended: %s", describe(pods.Items))
		}
		if w := c.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			backedOff = true
		}
		last := c.LastTerminationState.Terminated
		completed := last != nil && last.ExitCode == 0 && last.Reason == "Completed"
		state := fmt.Sprintf("%s; backed off: %v; last state %+v", describe(pods.Items), backedOff, last)
		return backedOff && completed && c.RestartCount >= 1, state
	})
}
