package kind

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

func TestConfigHasThreeOwnedNodesAndLocalNodePorts(t *testing.T) {
	t.Parallel()
	offline := &Provider{nodeImage: "kubelab/node:v1.37.2"}
	cfg := offline.config()
	if len(cfg.Nodes) != 3 || cfg.Nodes[0].Role != v1alpha4.ControlPlaneRole || cfg.Nodes[1].Role != v1alpha4.WorkerRole {
		t.Fatalf("nodes = %+v", cfg.Nodes)
	}
	for _, n := range cfg.Nodes {
		if n.Labels[OwnerLabel] != Name {
			t.Errorf("node %s lacks the owner label", n.Role)
		}
	}
	if pm := cfg.Nodes[0].ExtraPortMappings; len(pm) != len(NodePorts) || pm[0].HostPort != 30080 || pm[0].ListenAddress != "127.0.0.1" {
		t.Errorf("port mappings = %+v", pm)
	}
	if !cfg.Networking.DisableDefaultCNI {
		t.Error("kubelab's offline node image has no kindnetd; kubelab must bring the pod network")
	}
	upstream := (&Provider{nodeImage: ""}).config()
	if upstream.Networking.DisableDefaultCNI {
		t.Error("kind's own image brings kindnetd; kubelab must not disable it")
	}
	// kubelab assigns pod ranges itself on its own image (the network is in
	// place before the kubelets start); kindnetd needs the controller's.
	const noAlloc = "{name: allocate-node-cidrs, value: \"false\"}"
	if !strings.Contains(strings.Join(cfg.KubeadmConfigPatches, ""), noAlloc) {
		t.Error("offline image: the controller manager must leave pod ranges to kubelab")
	}
	if strings.Contains(strings.Join(upstream.KubeadmConfigPatches, ""), noAlloc) {
		t.Error("kind's own image: kindnetd needs the controller manager's pod ranges")
	}
	for _, n := range []string{Name + "-control-plane", Name + "-worker", Name + "-worker2"} {
		if !strings.HasPrefix(podCIDRs[n], "10.244.") {
			t.Errorf("node %s has pod range %q, outside kind's pod subnet %s", n, podCIDRs[n], cfg.Networking.PodSubnet)
		}
	}
	if !strings.Contains(strings.Join(cfg.KubeadmConfigPatches, ""), "failCgroupV1: false") {
		t.Error("cgroup v1 hosts need failCgroupV1: false")
	}
}

// kind names a cluster's nodes <cluster>-<role>, then <cluster>-<role>2,
// 3... for further nodes of a role (its internal common.MakeNodeNamer): the
// config's nodes must come out named as lab/cluster/nodes names them.
func TestKindNamesTheConfigsNodesAsTheLabNodes(t *testing.T) {
	t.Parallel()
	cfg := (&Provider{nodeImage: "kubelab/node:v1.37.2"}).config()
	seen := map[v1alpha4.NodeRole]int{}
	var got []string
	for _, n := range cfg.Nodes {
		seen[n.Role]++
		name := Name + "-" + string(n.Role)
		if seen[n.Role] > 1 {
			name += strconv.Itoa(seen[n.Role])
		}
		got = append(got, name)
	}
	if !slices.Equal(got, labnodes.All) {
		t.Errorf("kind would name the nodes %v; the lab's nodes are %v", got, labnodes.All)
	}
	for _, n := range labnodes.All {
		if podCIDRs[n] == "" {
			t.Errorf("lab node %s has no pod range", n)
		}
	}
}
