package kind

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	kindexec "sigs.k8s.io/kind/pkg/exec"

	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// podCIDRs are the nodes' pod address ranges on kubelab's node image: fixed,
// so each node's pod network is written while kind is still creating the
// cluster and the kubelets start with it (Ready as soon as they register).
// The i-th lab node has 10.244.i.0/24.
var podCIDRs = func() map[string]string {
	m := make(map[string]string, len(labnodes.All))
	for i, n := range labnodes.All {
		m[n] = fmt.Sprintf("10.244.%d.0/24", i)
	}
	return m
}()

// network gives every node a pod network when the image has no CNI of its
// own: a ptp/host-local config for the node's pod range, and routes to the
// other nodes' ranges (what kind's kindnetd does). A node's podCIDR from
// the API, where it has one, wins over the fixed table.
func (p *Provider) network(ctx context.Context, ns []nodes.Node, fromAPI bool) error {
	if !p.offline() {
		return nil
	}
	type nodeNet struct {
		node nodes.Node
		ip   string
		cidr string
	}
	var cs kubernetes.Interface
	if fromAPI {
		var err error
		if cs, err = p.client(); err != nil {
			return err
		}
	}
	var nets []nodeNet
	for _, n := range ns {
		ip, _, err := n.IP()
		if err != nil {
			return fmt.Errorf("node %s: %w", n, err)
		}
		cidr := podCIDRs[n.String()]
		if cs != nil {
			if obj, err := cs.CoreV1().Nodes().Get(ctx, n.String(), metav1.GetOptions{}); err == nil && obj.Spec.PodCIDR != "" {
				cidr = obj.Spec.PodCIDR
			}
		}
		if cidr == "" {
			return fmt.Errorf("node %s has no pod address range", n)
		}
		nets = append(nets, nodeNet{n, ip, cidr})
	}
	// One command per node, all nodes at once: its CNI config, then routes
	// to the other nodes' pods.
	var wg sync.WaitGroup
	errs := make([]error, len(nets))
	for i, me := range nets {
		wg.Go(func() {
			conf := fmt.Sprintf(`{"cniVersion":"0.4.0","name":"kubelab","plugins":[{"type":"ptp","ipMasq":true,"mtu":1500,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"routes":[{"dst":"0.0.0.0/0"}]}},{"type":"portmap","capabilities":{"portMappings":true}}]}`, me.cidr)
			const dir = "/etc/cni/net.d"
			script := "mkdir -p " + dir + " && cat > " + dir + "/.10-kubelab.tmp && mv " + dir + "/.10-kubelab.tmp " + dir + "/10-kubelab.conflist"
			for _, other := range nets {
				if other.node.String() != me.node.String() {
					script += fmt.Sprintf(" && ip route replace %s via %s", other.cidr, other.ip)
				}
			}
			cmd := me.node.CommandContext(ctx, "sh", "-c", script).SetStdin(strings.NewReader(conf))
			if out, err := kindexec.CombinedOutputLines(cmd); err != nil {
				errs[i] = fmt.Errorf("node %s: pod network: %v: %s", me.node, err, strings.Join(out, " "))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// assignPodCIDRs records each node's pod range (podCIDRs) on its Node
// object, as the controller manager would have: `kubectl describe node`
// shows it. Nodes may still be registering when kind returns.
func (p *Provider) assignPodCIDRs(ctx context.Context) error {
	if !p.offline() {
		return nil
	}
	cs, err := p.client()
	if err != nil {
		return err
	}
	pending := append([]string(nil), labnodes.All...)
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		left := pending[:0]
		for _, name := range pending {
			if err := recordPodCIDR(ctx, cs, name, podCIDRs[name]); err != nil {
				left, lastErr = append(left, name), fmt.Errorf("node %s: record its pod range: %w", name, err)
			}
		}
		pending = left
		return len(pending) == 0, nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case lastErr != nil:
		return lastErr
	}
	return err
}

// recordPodCIDR sets a node's pod range unless it has one.
func recordPodCIDR(ctx context.Context, cs kubernetes.Interface, name, cidr string) error {
	n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
	if err != nil || n.Spec.PodCIDR != "" {
		return err
	}
	patch := fmt.Sprintf(`{"spec":{"podCIDR":%q,"podCIDRs":[%q]}}`, cidr, cidr)
	_, err = cs.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
}
