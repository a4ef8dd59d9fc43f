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
// the container's last state becomes "terminated, exit code 137" and the
// kubelet restarts it at once in the same pod (a new container ID, one
// restart more), as a real kubelet does after the first failure.
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
		id := make([]byte, 32)
		_, _ = rand.Read(id)
		now := metav1.Now()
		for i := range po.Status.ContainerStatuses {
			c := &po.Status.ContainerStatuses[i]
			if c.Name != container {
				continue
			}
			c.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: "Error", StartedAt: c.State.Running.StartedAt, FinishedAt: now,
				ContainerID: "containerd://" + oldID,
			}}
			c.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
			c.ContainerID = "containerd://" + hex.EncodeToString(id)
			c.RestartCount++
		}
		_, err = cs.CoreV1().Pods(namespace).UpdateStatus(ctx, po, metav1.UpdateOptions{})
		return err
	})
}
