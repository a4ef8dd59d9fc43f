package engine_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lessons"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// testConfig is an engine over the shared test cluster, running solution
// commands with kubelab's built-in kubectl.
func testConfig(t *testing.T) engine.Config {
	t.Helper()
	env := clustertest.Cluster(t)
	bin, err := clustertest.Binary("KUBELAB_BINARY", "./cmd/kubelab", "kubelab")
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Config{
		Lessons: lessons.FS(), Client: env.Client, Dynamic: dyn, Owned: true,
		Machine: env.Provider,
		Kubectl: func(ctx context.Context, ns string, args []string) (string, error) {
			cmd := exec.CommandContext(ctx, bin, append([]string{"kubectl", "--kubeconfig", env.Kubeconfig, "-n", ns}, args...)...)
			cmd.Env = append(os.Environ(), "KUBERC=off")
			out, err := cmd.CombinedOutput()
			return string(out), err
		},
	}
}

// Every step of every built-in lesson fails before its solution (and after
// its fault) and passes after its reference solution. Not parallel with the
// package's other tests: a lesson that takes a node down would disturb them
// (Go runs the non-parallel tests first, alone).
func TestBuiltinLessonsProvenBothWays(t *testing.T) {
	cfg := testConfig(t)
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		t.Fatalf("built-in lessons do not load:\n%v", err)
	}
	if len(all) < 3 {
		t.Fatalf("%d built-in lessons, want at least 3", len(all))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	failed := engine.ProveAll(ctx, cfg, all, 0, func(id string, p engine.StepProof) {
		t.Logf("%s step %s: failed before=%v passed after=%v in %v", id, p.Step, p.FailedBefore, p.PassedAfter, p.SolutionTook.Round(10*time.Millisecond))
	})
	for _, l := range all {
		if err := failed[l.ID]; err != nil {
			t.Errorf("lesson %s: %v", l.ID, err)
		}
	}
}
