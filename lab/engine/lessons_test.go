package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/host/hosttest"
	"github.com/kubelab/kubelab/lessons"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// testConfig is the engine of a lab over the shared test cluster, built as
// kubelab builds it, running solution commands with kubelab's built-in kubectl.
func testConfig(t *testing.T) engine.Config {
	t.Helper()
	cfg, err := hosttest.New(t, host.Config{Kubelab: hosttest.Kubelab(t)}).EngineConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
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
