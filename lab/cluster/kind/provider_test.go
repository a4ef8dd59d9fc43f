package kind

import (
	"context"
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

func TestPreflightWithoutDockerSaysWhatToDo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Preflight(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no Docker engine found") || !strings.Contains(err.Error(), "--backend embedded") {
		t.Fatalf("err = %v", err)
	}
}

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

func TestKindProgressBecomesPhases(t *testing.T) {
	t.Parallel()
	var got []string
	l := &phaseLogger{phase: func(_, title string) { got = append(got, title) }}
	l.V(0).Infof(" • Ensuring node image (kubelab/node:v1.37.2) 🖼  ...")
	l.V(0).Info(" ✓ Ensuring node image (kubelab/node:v1.37.2) 🖼")
	l.V(0).Info(" • Preparing nodes 📦 📦 📦  ...")
	l.V(0).Info(" • Joining worker nodes 🚜  ...")
	l.V(1).Info("debug noise")
	want := []string{"Ensuring node image (kubelab/node:v1.37.2)", "Preparing nodes", "Joining worker nodes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("phases = %q, want %q", got, want)
	}
}
