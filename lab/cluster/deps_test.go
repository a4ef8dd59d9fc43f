package cluster_test

import (
	"os/exec"
	"strings"
	"testing"
)

// Only the embedded cluster's control plane may link k8s.io/kubernetes: every
// other package must build and test in seconds.
func TestOnlyTheControlPlaneImportsKubernetes(t *testing.T) {
	allowed := map[string]bool{
		"github.com/kubelab/kubelab/lab/cluster/embedded/controlplane": true,
		"github.com/kubelab/kubelab/cmd/kubelab-cluster":               true,
	}
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "github.com/kubelab/kubelab/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if !strings.HasPrefix(pkg, "github.com/kubelab/kubelab/") {
			continue
		}
		checked++
		base, _, _ := strings.Cut(pkg, " ")
		base = strings.TrimSuffix(strings.TrimSuffix(base, ".test"), "_test")
		if allowed[base] {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, "k8s.io/kubernetes/") {
				t.Errorf("%s depends on %s; only the embedded control plane may", pkg, d)
				break
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages", checked)
	}
}
