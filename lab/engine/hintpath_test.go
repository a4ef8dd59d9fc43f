package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// 13-recap/build passes by its hints' own commands: `kubectl set env
// deployment/shop --from=configmap/shop-config` writes per-key valueFrom,
// which the goal takes as reading shop-config.
func TestRecapBuildPassesByItsHints(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	l := builtin(t, "recap")
	steps := append([]lesson.Step(nil), l.Steps...)
	l.Steps = steps
	st := &steps[0]
	if st.ID != "build" {
		t.Fatalf("first step of recap is %s, want build", st.ID)
	}
	st.Solution = lesson.Solution{Commands: []string{
		"kubectl create configmap shop-config --from-literal=COLOR=green",
		"kubectl create deployment shop --image=kubelab/app:v2 --replicas=3",
		"kubectl set env deployment/shop --from=configmap/shop-config",
		"kubectl set resources deployment shop --requests=cpu=100m",
		"kubectl expose deployment shop --port=80 --target-port=8080",
	}}
	var hints strings.Builder
	for _, h := range st.Hints {
		hints.WriteString(h.Text + "\n")
	}
	for _, c := range st.Solution.Commands { // the path is the hints' own
		if !strings.Contains(hints.String(), c) {
			t.Fatalf("the hints of recap/build no longer say %q:\n%s", c, hints.String())
		}
	}
	s := engine.Open(cfg, l)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, false)
	if err := s.ApplySolution(ctx); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, true)
}
