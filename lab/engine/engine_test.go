package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lessons"
)

func builtin(t *testing.T, id string) *lesson.Lesson {
	t.Helper()
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if l.ID == id {
			// A copy under another id, so tests and proofs get their own namespaces.
			cp := *l
			cp.ID = id + "-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
			if len(cp.ID) > 40 {
				cp.ID = cp.ID[:40]
			}
			return &cp
		}
	}
	t.Fatalf("no lesson %s", id)
	return nil
}

func waitAll(t *testing.T, s *engine.Session, pass bool) []check.Result {
	t.Helper()
	var rs []check.Result
	clustertest.Eventually(t, 30*time.Second, fmt.Sprintf("goals reach pass=%v", pass), func(context.Context) (bool, string) {
		rs = s.Results()
		return len(rs) > 0 && check.AllPass(rs) == pass, fmt.Sprintf("%+v", rs)
	})
	return rs
}

// Reset empties the lesson's namespace (the learner's pod goes) and sets the
// step up again; progress and events record all of it.
func TestResetEmptiesTheNamespaceAndProgressIsRecorded(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	store, err := progress.Open(filepath.Join(t.TempDir(), "progress.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Progress = store
	l := builtin(t, "pods")
	s := engine.Open(cfg, l)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, false)

	// No pod yet: every goal fails, so the hints come in the author's order.
	hints := l.Steps[0].Hints
	h1, n1, ok1 := s.NextHint()
	h2, n2, ok2 := s.NextHint()
	if !ok1 || !ok2 || n1 != 1 || n2 != 2 || h1 != hints[0] || h2 != hints[1] {
		t.Fatalf("hints not in the author's order: %q (%d) then %q (%d), want %q then %q", h1.Text, n1, h2.Text, n2, hints[0].Text, hints[1].Text)
	}
	if sol := s.RevealSolution(); len(sol.Commands) != 1 {
		t.Fatalf("solution = %+v", sol)
	}
	if err := s.ApplySolution(ctx); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, true)

	start := time.Now()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("reset took %v", time.Since(start).Round(10*time.Millisecond))
	waitAll(t, s, false)
	if _, err := cfg.Client.CoreV1().Pods(l.Namespace()).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("pod web of the solution after reset: %v, want it gone", err)
	}

	// Reset keeps the hints shown: the learner has read them.
	if got := s.ShownHints(); len(got) != 2 || got[0] != hints[0] || got[1] != hints[1] {
		t.Fatalf("hints shown after reset = %+v, want the first two", got)
	}
	st := store.Snapshot().Lessons[l.ID].Steps["run"]
	if st.Attempts < 1 || st.HintsShown != 2 || !st.SolutionRevealed || st.Resets != 1 || st.Finished.IsZero() {
		t.Fatalf("progress = %+v", st)
	}
	s.Close()
	if st := store.Snapshot().Lessons[l.ID].Steps["run"]; st.TimeSpent <= 0 {
		t.Fatalf("time spent not recorded: %+v", st)
	}
	events, err := os.ReadFile(store.EventsPath())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, line := range strings.Split(strings.TrimSpace(string(events)), "\n") {
		var e progress.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events.jsonl line %q: %v", line, err)
		}
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "step-started,hint,hint,solution,goal-passed,goal-passed,step-finished,reset,step-started" {
		t.Errorf("events = %s", got)
	}
}

// Hints are a ladder: each h shows the next hint in the author's order, the
// shown ones stay listed, and a step started again starts the ladder over.
func TestHintsComeInTheAuthorsOrder(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	l := builtin(t, "pods")
	s := engine.Open(cfg, l)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplySolution(ctx); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, true)
	if err := s.Start(ctx, 1); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, false)
	want := l.Steps[1].Hints
	for i := range want {
		h, n, ok := s.NextHint()
		if !ok || n != i+1 || h != want[i] {
			t.Fatalf("press %d: hint %q (n=%d ok=%v), want %q", i+1, h.Text, n, ok, want[i].Text)
		}
	}
	if h, n, ok := s.NextHint(); ok || n != len(want) {
		t.Fatalf("after the last hint: %q n=%d ok=%v, want none", h.Text, n, ok)
	}
	if got := s.ShownHints(); len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("hints shown = %+v, want all %d in order", got, len(want))
	}
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := s.ShownHints(); len(got) != 0 {
		t.Fatalf("hints shown after moving to another step = %+v, want none", got)
	}
}
