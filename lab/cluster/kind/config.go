package kind

import (
	"strings"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// OwnerLabel marks the nodes of a cluster kubelab created.
const OwnerLabel = "kubelab.dev/cluster"

// NodePorts are mapped from the control-plane node to 127.0.0.1.
var NodePorts = []int32{30080, 30081, 30082}

// offline says whether the node image lacks kind's own CNI (kubelab's
// registry-free node image): kubelab then connects the pod networks itself.
func (p *Provider) offline() bool { return strings.HasPrefix(p.nodeImage, "kubelab/node") }

// config is the kind cluster: one node per lab node (lab/cluster/nodes),
// the control plane first, which kind names <Name>-control-plane,
// <Name>-worker, <Name>-worker2.
func (p *Provider) config() *v1alpha4.Cluster {
	labels := map[string]string{OwnerLabel: Name}
	cfg := &v1alpha4.Cluster{
		KubeadmConfigPatches: []string{
			// Hosts with cgroup v1 (CI machines here) need the kubelet's
			// consent; short leases let a stopped node be noticed in seconds.
			"kind: KubeletConfiguration\nfailCgroupV1: false\nnodeLeaseDurationSeconds: 8\nnodeStatusUpdateFrequency: 4s\n",
			// Self-healing lessons: a lost node is NotReady after 10 s and its
			// pods move 2 s later (defaults: 40 s and 5 minutes), as on the
			// embedded cluster.
			"kind: ClusterConfiguration\n" +
				"apiServer:\n  extraArgs:\n" +
				"  - {name: default-not-ready-toleration-seconds, value: \"2\"}\n" +
				"  - {name: default-unreachable-toleration-seconds, value: \"2\"}\n" +
				"controllerManager:\n  extraArgs:\n" +
				"  - {name: node-monitor-grace-period, value: 10s}\n",
		},
	}
	for _, name := range labnodes.All {
		n := v1alpha4.Node{Role: v1alpha4.WorkerRole, Labels: labels}
		if name == labnodes.ControlPlane {
			n.Role = v1alpha4.ControlPlaneRole
			for _, port := range NodePorts {
				n.ExtraPortMappings = append(n.ExtraPortMappings, v1alpha4.PortMapping{ContainerPort: port, HostPort: port, ListenAddress: "127.0.0.1"})
			}
		}
		cfg.Nodes = append(cfg.Nodes, n)
	}
	cfg.Networking.DisableDefaultCNI = p.offline()
	if p.offline() {
		// kubelab gives each node its pod range itself (podCIDRs), so the
		// pod network is in place before the kubelets start.
		cfg.KubeadmConfigPatches = append(cfg.KubeadmConfigPatches,
			"kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n  - {name: allocate-node-cidrs, value: \"false\"}\n")
	}
	v1alpha4.SetDefaultsCluster(cfg)
	return cfg
}
