package engine

import (
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// press shows hints as h would until none is left, with the given goals failing.
func press(hints []lesson.Hint, failing map[string]bool) []int {
	var shown []int
	for i := nextHint(hints, shown, failing); i >= 0; i = nextHint(hints, shown, failing) {
		shown = append(shown, i)
	}
	return shown
}

// With every goal failing every hint is eligible, so each step of each
// built-in lesson shows its hints exactly in the order they are written.
func TestBuiltinHintsComeInAuthoredOrderWhileAllGoalsFail(t *testing.T) {
	t.Parallel()
	all, err := LoadLessons(lessons.FS())
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, l := range all {
		for _, st := range l.Steps {
			failing := map[string]bool{}
			for _, g := range st.Goals {
				failing[g.ID] = true
			}
			for _, f := range []map[string]bool{failing, nil} { // nil: before the first check
				got := press(st.Hints, f)
				if len(got) != len(st.Hints) {
					t.Errorf("%s/%s: %d of %d hints shown", l.ID, st.ID, len(got), len(st.Hints))
					continue
				}
				for i, j := range got {
					if i != j {
						t.Errorf("%s/%s: press %d shows hint %d (%q), want hint %d", l.ID, st.ID, i+1, j+1, st.Hints[j].Text, i+1)
						break
					}
				}
			}
			steps++
		}
	}
	if steps < 40 {
		t.Fatalf("%d steps checked, want the whole curriculum", steps)
	}
}

// A hint tied to a passing goal is skipped, not lost: once its goal fails it
// is the next one shown; hints already shown are never shown again.
func TestHintsSkipPassingGoalsAndNeverRepeat(t *testing.T) {
	t.Parallel()
	hints := []lesson.Hint{{Text: "general"}, {Goal: "a", Text: "a1"}, {Goal: "b", Text: "b1"}, {Goal: "a", Text: "a2"}, {Text: "last"}}
	var shown []int
	next := func(failing map[string]bool) int {
		i := nextHint(hints, shown, failing)
		if i >= 0 {
			shown = append(shown, i)
		}
		return i
	}
	onlyB := map[string]bool{"b": true}
	for _, want := range []int{0, 2, 4, -1} {
		if got := next(onlyB); got != want {
			t.Fatalf("with only b failing: hint %d, want %d (shown %v)", got, want, shown)
		}
	}
	both := map[string]bool{"a": true, "b": true}
	for _, want := range []int{1, 3, -1} {
		if got := next(both); got != want {
			t.Fatalf("once a fails too: hint %d, want %d (shown %v)", got, want, shown)
		}
	}
}
