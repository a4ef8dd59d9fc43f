package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/kubectlver/kubectlvertest"
)

// labCLI runs the real kubelab binary in an isolated home and state directory.
type labCLI struct {
	t    testing.TB
	bin  string
	home string
	env  []string
}

func newCLI(t testing.TB) *labCLI {
	t.Helper()
	bin, err := clustertest.Binary("KUBELAB_BINARY", "./cmd/kubelab", "kubelab")
	if err != nil {
		t.Fatal(err)
	}
	clusterBin, err := clustertest.ClusterBinary()
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	c := &labCLI{t: t, bin: bin, home: home, env: append(os.Environ(),
		"HOME="+home,
		"KUBELAB_STATE_DIR="+filepath.Join(home, "state"),
		"KUBELAB_CLUSTER_BINARY="+clusterBin,
		"KUBECONFIG=", // the learner's own setting must not matter
		// The embedded cluster, even where a Docker engine runs (make e2e-kind proves kind).
		"KUBELAB_BACKEND=embedded",
	)}
	t.Cleanup(func() { c.run("down") })
	return c
}

// run returns combined output and the exit code.
func (c *labCLI) run(args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), code
}

func (c *labCLI) ok(args ...string) string {
	c.t.Helper()
	out, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("kubelab %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// up starts the lab on a free port and returns what it printed and the port.
func (c *labCLI) up() (string, int) {
	c.t.Helper()
	port, err := embedded.FreePort()
	if err != nil {
		c.t.Fatal(err)
	}
	return c.ok("up", "--port", strconv.Itoa(port)), port
}

func (c *labCLI) eventually(what string, args []string, want string) {
	c.t.Helper()
	clustertest.Eventually(c.t, 45*time.Second, fmt.Sprintf("%s: kubelab %s shows %q", what, strings.Join(args, " "), want), func(context.Context) (bool, string) {
		out, _ := c.run(args...)
		return strings.Contains(out, want), out
	})
}

func TestJourneyUpKubectlDown(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, port := c.up()
	for _, want := range []string{"Starting etcd", "Starting the API server", "Starting 3 simulated nodes", "3/3 nodes Ready", "127.0.0.1:" + strconv.Itoa(port)} {
		if !strings.Contains(out, want) {
			t.Errorf("up output lacks %q:\n%s", want, out)
		}
	}
	if out := c.ok("up"); !strings.Contains(out, "already running") {
		t.Errorf("second up: %s", out)
	}
	if out := c.ok("status"); strings.Count(out, " Ready") != 3 {
		t.Errorf("status does not show 3 Ready nodes:\n%s", out)
	}
	kubeconfig := strings.TrimSpace(c.ok("kubeconfig"))
	if !strings.HasPrefix(kubeconfig, filepath.Join(c.home, "state")) {
		t.Errorf("kubeconfig %s is not lab-owned", kubeconfig)
	}

	k := func(args ...string) string { return c.ok(append([]string{"kubectl"}, args...)...) }
	if out := k("get", "nodes"); strings.Count(out, "Ready") != 3 || !strings.Contains(out, "kubelab-worker2") {
		t.Errorf("get nodes:\n%s", out)
	}
	k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3")
	k("rollout", "status", "deployment/web", "--timeout=60s")
	k("set", "image", "deployment/web", "nginx=nginx:1.28")
	k("rollout", "status", "deployment/web", "--timeout=60s")
	k("rollout", "undo", "deployment/web")
	k("rollout", "status", "deployment/web", "--timeout=60s")
	if out := k("get", "deployment/web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); out != "nginx:1.27" {
		t.Errorf("image after rollback = %q, want nginx:1.27", out)
	}
	if out := k("rollout", "history", "deployment/web"); !strings.Contains(out, "3 ") {
		t.Errorf("rollout history lacks revision 3:\n%s", out)
	}
	k("run", "typo", "--image=nginx:lates")
	c.eventually("image pull back-off", []string{"kubectl", "get", "pod", "typo"}, "ImagePullBackOff")

	pod := strings.TrimSpace(k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}"))
	out, code := c.run("kubectl", "exec", pod, "--", "id")
	if code == 0 || !strings.Contains(out, "simulated") || !strings.Contains(out, "--backend kind") {
		t.Errorf("exec must be refused with the reason and the way out; exit %d:\n%s", code, out)
	}

	if out := c.ok("down"); !strings.Contains(out, "stopped") {
		t.Errorf("down: %s", out)
	}
	out, code = c.run("status")
	if code == 0 || !strings.Contains(out, "kubelab up") {
		t.Errorf("status after down: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(c.home, ".kube")); !os.IsNotExist(err) {
		t.Errorf("kubelab touched ~/.kube: %v", err)
	}
}

// Without a cluster, and with no kubectl or one that does not say its
// version, env exports the kubeconfig and a kubectl function to kubelab's own.
func TestEnvPrintsExportsAndKubectlFunctionWithoutAKnownKubectl(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	silent := kubectlvertest.Script(t, "", "exit 0")
	for path, why := range map[string]string{
		"/nonexistent": "no kubectl is installed.",
		silent:         silent + "/kubectl said a version kubelab cannot read; to use it anyway, run " + silent + "/kubectl.",
	} {
		c.env = append(c.env, "PATH="+path)
		out := c.ok("env")
		for _, want := range []string{"export KUBECONFIG=", "# kubectl is kubelab's own (v1.37.2): " + why + "\n", "kubectl() { '" + c.bin + "' kubectl \"$@\"; }\n"} {
			if !strings.Contains(out, want) {
				t.Errorf("env with PATH=%s lacks %q:\n%s", path, want, out)
			}
		}
	}
}

func TestUnknownBackendSaysWhatToUse(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	out, code := c.run("up", "--backend", "minikube")
	if code == 0 || !strings.Contains(out, "--backend embedded") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// Without a Docker engine, `kubelab up` says in one line that it uses the
// embedded cluster and why; later commands remember that choice.
func TestUpFallsBackToEmbeddedWithoutDockerAndRemembers(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var env []string
	for _, e := range c.env {
		if !strings.HasPrefix(e, "KUBELAB_BACKEND=") && !strings.HasPrefix(e, "PATH=") {
			env = append(env, e)
		}
	}
	c.env = append(env, "PATH="+t.TempDir()) // no docker here
	out, _ := c.up()
	first, _, _ := strings.Cut(out, "\n")
	if first != "Using the embedded cluster (simulated nodes): no Docker engine found. Real nodes need a running Docker engine." {
		t.Errorf("first line of up: %q", first)
	}
	data, err := os.ReadFile(filepath.Join(c.home, "state", "backend"))
	if err != nil || strings.TrimSpace(string(data)) != "embedded" {
		t.Fatalf("remembered backend = %q, %v", data, err)
	}
	if st := c.ok("status"); !strings.Contains(st, "Backend:     embedded") || !strings.Contains(st, "State:       running") {
		t.Errorf("status:\n%s", st)
	}
	if out, code := c.run("up", "--backend", "nothing"); code == 0 || !strings.Contains(out, `unknown backend "nothing"`) {
		t.Errorf("bad backend: %d\n%s", code, out)
	}
}
