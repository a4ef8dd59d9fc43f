package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// SetNodeRunning stops or starts a simulated node's kubelet.
func (p *Provider) SetNodeRunning(ctx context.Context, node string, running bool) error {
	if _, err := p.readMeta(); err != nil {
		return cluster.ErrNotRunning
	}
	cs, err := p.Clientset()
	if err != nil {
		return err
	}
	value := nodes.KubeletStopped
	if running {
		value = nodes.KubeletRunning
	}
	patch := fmt.Sprintf(`{"metadata":{"labels":{%q:%q}}}`, nodes.KubeletLabel, value)
	_, err = cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	if err != nil {
		return fmt.Errorf("set node %s running=%v: %w", node, running, err)
	}
	return nil
}

// KillContainer kills a simulated container as its node's kernel would:
// it ends with exit code 137. As a real kubelet, the simulated one restarts
// it at once in the same pod (a new container ID, one restart more, the
// killed run as its last state) unless the pod's restartPolicy is Never:
// then the container stays terminated, and the pod fails once none of its
// containers runs (a Job then makes a new pod).
func (p *Provider) KillContainer(ctx context.Context, namespace, pod, container string) error {
	if _, err := p.readMeta(); err != nil {
		return cluster.ErrNotRunning
	}
	cs, err := p.Clientset()
	if err != nil {
		return err
	}
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		po, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
		if err != nil {
			return err
		}
		oldID, err := cluster.RunningContainerID(po, container)
		if err != nil {
			return err
		}
		now := metav1.Now()
		for i := range po.Status.ContainerStatuses {
			c := &po.Status.ContainerStatuses[i]
			if c.Name != container {
				continue
			}
			killed := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: "Error", StartedAt: c.State.Running.StartedAt, FinishedAt: now,
				ContainerID: "containerd://" + oldID,
			}}
			if po.Spec.RestartPolicy == corev1.RestartPolicyNever {
				c.State, c.Ready, c.Started = killed, false, ptrTo(false)
				continue
			}
			id := make([]byte, 32)
			_, _ = rand.Read(id)
			c.LastTerminationState = killed
			c.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
			c.ContainerID = "containerd://" + hex.EncodeToString(id)
			c.RestartCount++
		}
		if po.Spec.RestartPolicy == corev1.RestartPolicyNever {
			notReady(po, now)
		}
		_, err = cs.CoreV1().Pods(namespace).UpdateStatus(ctx, po, metav1.UpdateOptions{})
		return err
	})
}

// notReady marks a pod with a container that will not run again: not
// Ready, and Failed once none of its containers runs.
func notReady(po *corev1.Pod, now metav1.Time) {
	running := false
	for _, c := range po.Status.ContainerStatuses {
		running = running || c.State.Terminated == nil
	}
	reason := "ContainersNotReady"
	if !running {
		po.Status.Phase, reason = corev1.PodFailed, "PodFailed"
	}
	for i := range po.Status.Conditions {
		cond := &po.Status.Conditions[i]
		if cond.Type == corev1.PodReady || cond.Type == corev1.ContainersReady {
			if cond.Status != corev1.ConditionFalse {
				cond.LastTransitionTime = now
			}
			cond.Status, cond.Reason = corev1.ConditionFalse, reason
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
