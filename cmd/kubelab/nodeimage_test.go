package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/kind"
)

// Docker answers but kind's node image is absent and cannot be pulled (no
// registry here, as in CI): `kubelab up` with the backend left to kubelab
// ends on the embedded cluster with one line that says why and how to get
// kind later; `kubelab up --backend kind` fails with one sentence that names
// the log. Neither leaves a container or a network behind. `make test` skips
// it where no Docker engine answers; `make e2e-kind` (-run TestKind) runs it
// with one.
func TestKindNodeImageAbsentFallsBackToEmbedded(t *testing.T) {
	if err := exec.Command("docker", "info", "--format", "{{.ID}}").Run(); err != nil {
		t.Skip("no Docker engine answers here (`docker info` fails): the node-image fallback needs one; `make e2e-kind` starts it")
	}
	if out, _ := exec.Command("docker", "ps", "-a", "-q", "--filter", "label=io.x-k8s.kind.cluster="+kind.Name).Output(); len(strings.TrimSpace(string(out))) > 0 {
		t.Skipf("a kind cluster named %s runs here (another test's?); this test would meet it instead of the absent image", kind.Name)
	}
	docker := func(args ...string) string {
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	const image = "kubelab/node:absent-test"
	if out, err := exec.Command("docker", "image", "inspect", image).CombinedOutput(); err == nil {
		t.Fatalf("%s is in the Docker engine; this test needs it absent:\n%s", image, out)
	}
	// kind's: its nodes carry its label, its network is named kind.
	kindContainers := []string{"ps", "-a", "-q", "--filter", "label=io.x-k8s.kind.cluster"}
	kindNetwork := []string{"network", "ls", "-q", "--filter", "name=^kind$"}
	containers, networks := docker(kindContainers...), docker(kindNetwork...)
	c := newCLI(t)
	port, err := embedded.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c.env = append(c.env, "KUBELAB_BACKEND=", "KUBELAB_NODE_IMAGE="+image)

	out := c.ok("up", "--port", strconv.Itoa(port))
	line := "Using the embedded cluster (simulated nodes): kind's node image " + image + " is not in the Docker engine and cannot be pulled now; to use kind later, build it with `make node-image` in kubelab's source, then run `kubelab up --backend kind`.\n"
	if strings.Count(out, line) != 1 || !strings.Contains(out, "embedded cluster running") || strings.Contains(out, "failed to pull") {
		t.Errorf("up (backend left to kubelab) does not end on the embedded cluster with the one line %q:\n%s", line, out)
	}
	if _, err := os.Stat(filepath.Join(c.home, "state", "backend-fallback")); err != nil {
		t.Errorf("the fallback is not remembered as one: %v", err)
	}
	if st := c.ok("status"); !strings.Contains(st, "Backend:     embedded\n") || !strings.Contains(st, "State:       running") {
		t.Errorf("status after the fallback:\n%s", st)
	}

	// Asked for, with --backend or $KUBELAB_BACKEND: no fallback, one sentence.
	env := c.env
	c.env = append(env, "KUBELAB_BACKEND=kind")
	if out, code := c.run("up"); code == 0 || !strings.Contains(out, "kubelab: kind's node image "+image+" is not in the Docker engine") || strings.Contains(out, "Using the embedded cluster") {
		t.Errorf("KUBELAB_BACKEND=kind kubelab up: exit %d, want the one sentence and no fallback:\n%s", code, out)
	}
	c.env = env
	out, code := c.run("up", "--backend", "kind")
	log := filepath.Join(c.home, "state", "kind", "logs", "kind.log")
	// Where Docker Hub answers, the pull fails instead of the registry: the
	// sentence says so; the rest is the same.
	head := "kubelab: kind's node image " + image + " is not in the Docker engine and "
	tail := ": build it with `make node-image` in kubelab's source, then run `kubelab up --backend kind` again (details: " + log + ")\n"
	last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
	if code == 0 || !strings.HasPrefix(last, head) || !strings.HasSuffix(last, tail) || strings.Contains(out, "failed to pull") {
		t.Errorf("up --backend kind: exit %d, want one sentence %q...%q:\n%s", code, head, tail, out)
	}
	if data, err := os.ReadFile(log); err != nil || !strings.Contains(string(data), image) {
		t.Errorf("the log %s does not keep what happened: %v\n%s", log, err, data)
	}
	if got := docker(kindContainers...); got != containers {
		t.Errorf("containers before:\n%s\nafter:\n%s", containers, got)
	}
	if got := docker(kindNetwork...); got != networks {
		t.Errorf("networks before:\n%s\nafter:\n%s", networks, got)
	}
}
