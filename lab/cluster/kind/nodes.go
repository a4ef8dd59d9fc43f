package kind

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	kindexec "sigs.k8s.io/kind/pkg/exec"

	"github.com/kubelab/kubelab/lab/cluster"
	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// waitNodeContainers waits until kind has made a container for every lab node.
func waitNodeContainers(ctx context.Context, kp *kindcluster.Provider, limit time.Duration) ([]nodes.Node, error) {
	var ns []nodes.Node
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, limit, true, func(context.Context) (bool, error) {
		var err error
		ns, err = kp.ListNodes(Name)
		return err == nil && len(ns) == len(labnodes.All), nil
	})
	switch {
	case err == nil:
		return ns, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("the kind node containers did not appear within %s; see `docker ps -a`", limit)
}

// startNodes starts the cluster's node containers and returns them.
func (p *Provider) startNodes(ctx context.Context, kp *kindcluster.Provider) ([]nodes.Node, error) {
	ns, err := kp.ListNodes(Name)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		args := []string{"docker", "start", n.String()}
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("start node %s: %w", n, &kindexec.RunError{Command: args, Output: out, Inner: err})
		}
	}
	return ns, nil
}

// nodesRunning reports whether every node container of the cluster runs.
func (p *Provider) nodesRunning(ctx context.Context, kp *kindcluster.Provider) bool {
	ns, err := kp.ListNodes(Name)
	if err != nil || len(ns) == 0 {
		return false
	}
	for _, n := range ns {
		out, err := exec.CommandContext(ctx, "docker", "inspect", "-f", "{{.State.Running}}", n.String()).Output()
		if err != nil || strings.TrimSpace(string(out)) != "true" {
			return false
		}
	}
	return true
}

// waitReady waits until every lab node is Ready and the default namespace's
// service account exists (pods can be created).
func (p *Provider) waitReady(ctx context.Context, limit time.Duration) error {
	cs, err := p.client()
	if err != nil {
		return err
	}
	err = wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, limit, true, func(ctx context.Context) (bool, error) {
		list, err := cluster.ListNodes(ctx, cs.CoreV1().Nodes())
		if err != nil || !allReady(list) {
			return false, nil
		}
		_, err = cs.CoreV1().ServiceAccounts(corev1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("the kind nodes are not Ready after %s: see `docker logs %s`", limit, labnodes.ControlPlane)
}

// allReady says whether list is exactly the lab nodes, every one Ready.
func allReady(list []cluster.Node) bool {
	if len(list) != len(labnodes.All) {
		return false
	}
	for _, name := range labnodes.All {
		if !slices.ContainsFunc(list, func(n cluster.Node) bool { return n.Name == name && n.Ready }) {
			return false
		}
	}
	return true
}

// SetNodeRunning stops or starts a node's container: with it, its kubelet
// and every container on it.
func (p *Provider) SetNodeRunning(ctx context.Context, node string, running bool) error {
	kp := p.kind(nil)
	ns, err := kp.ListNodes(Name)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ns, func(n nodes.Node) bool { return n.String() == node }) {
		return fmt.Errorf("%s is not a node of the kubelab cluster", node)
	}
	verb := "stop"
	if running {
		verb = "start"
	}
	args := []string{verb, node}
	if !running {
		// systemd (PID 1 of the node) does not stop on SIGTERM: after 2 s the
		// node is killed, as a crashed machine would be.
		args = []string{"stop", "-t", "2", node}
	}
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s %s: %v: %s", verb, node, err, out)
	}
	if running {
		// A restarted node has a fresh network namespace: give it its routes again.
		return p.network(ctx, ns, true)
	}
	return nil
}

// KillContainer kills a container's process on its node with SIGKILL
// through the node's containerd (ctr, in every kind node image); the
// kubelet sees it exit with code 137 and restarts it.
func (p *Provider) KillContainer(ctx context.Context, namespace, pod, container string) error {
	cs, err := p.client()
	if err != nil {
		return err
	}
	po, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	id, err := cluster.RunningContainerID(po, container)
	if err != nil {
		return err
	}
	ns, err := p.kind(nil).ListNodes(Name)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ns, func(n nodes.Node) bool { return n.String() == po.Spec.NodeName })
	if i < 0 {
		return fmt.Errorf("pod %s runs on %q, which is not a node of the kubelab cluster", pod, po.Spec.NodeName)
	}
	cmd := ns[i].CommandContext(ctx, "ctr", "--namespace=k8s.io", "tasks", "kill", "--signal", "SIGKILL", id)
	if out, err := kindexec.CombinedOutputLines(cmd); err != nil {
		return fmt.Errorf("kill container %s of pod %s on %s: %v: %s", container, pod, po.Spec.NodeName, err, strings.Join(out, " "))
	}
	return nil
}
