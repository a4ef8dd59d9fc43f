package kind

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
)

// Down deletes the cluster kubelab created (never another one).
func (p *Provider) Down(ctx context.Context) error {
	if _, err := exec.LookPath("docker"); err != nil {
		return nil
	}
	kp := p.kind(nil)
	found, err := p.exists(kp)
	if err != nil || !found {
		_ = os.RemoveAll(p.dir)
		return nil //nolint:nilerr // no engine or no cluster: nothing to delete
	}
	if mine, err := p.owned(kp); err != nil || !mine {
		return fmt.Errorf("the kind cluster %q was not created by kubelab; kubelab leaves it alone", Name)
	}
	if err := deleteCluster(kp, Name, p.KubeconfigPath()); err != nil {
		return p.explain(ctx, "deleting the kind cluster", err)
	}
	return os.RemoveAll(p.dir)
}

// DeleteBare deletes the baseline cluster (see CreateBare).
func (p *Provider) DeleteBare() error {
	return deleteCluster(p.kind(nil), Name+"-bare", filepath.Join(p.dir, "bare-kubeconfig"))
}

// deleteCluster deletes a kind cluster; `docker rm -f` of a node that is
// still stopping sometimes fails once, so it tries three times, 2 s apart.
//
// On cgroup v1 hosts a pod container caught half-created when its node is
// killed can stay in a FROZEN freezer cgroup, which no signal ends; the
// retry thaws the node containers' frozen cgroups first.
func deleteCluster(kp *kindcluster.Provider, name, kubeconfig string) error {
	ns, _ := kp.ListNodes(name)
	var lastErr error
	err := wait.ExponentialBackoff(wait.Backoff{Duration: 2 * time.Second, Factor: 1, Steps: 3}, func() (bool, error) {
		if lastErr = kp.Delete(name, kubeconfig); lastErr == nil {
			return true, nil
		}
		for _, n := range ns {
			thawNode(n.String())
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("delete the kind cluster %s: %w", name, lastErr)
	}
	return nil
}

// thawNode thaws every frozen freezer cgroup of a node container (cgroup v1).
func thawNode(container string) {
	out, err := exec.Command("docker", "inspect", "-f", "{{.Id}}", container).Output()
	if err != nil {
		return
	}
	root := filepath.Join("/sys/fs/cgroup/freezer/docker", strings.TrimSpace(string(out)))
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "freezer.state" {
			return nil //nolint:nilerr // best effort
		}
		if state, _ := os.ReadFile(path); strings.TrimSpace(string(state)) == "FROZEN" {
			_ = os.WriteFile(path, []byte("THAWED"), 0o644)
		}
		return nil
	})
}
