package engine

import (
	"fmt"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// NextHint shows the step's next hint, a ladder in the author's order: the
// first hint not yet shown in this step among those untied or tied to a goal
// that fails now (before the first check every goal counts as failing).
// n is how many hints have been shown in this step; ok is false when no
// eligible hint is left.
func (s *Session) NextHint() (h lesson.Hint, n int, ok bool) {
	_, step := s.Step()
	if step == nil {
		return lesson.Hint{}, 0, false
	}
	s.mu.Lock()
	i := nextHint(step.Hints, s.shown, s.failingGoals())
	if i < 0 {
		n = len(s.shown)
		s.mu.Unlock()
		return lesson.Hint{}, n, false
	}
	s.shown = append(s.shown, i)
	h, n = step.Hints[i], len(s.shown)
	s.mu.Unlock()
	s.record(func(_ *progress.Lesson, st *progress.Step) {
		if n > st.HintsShown {
			st.HintsShown = n
		}
	})
	s.logEvent("hint", fmt.Sprint(n))
	return h, n, true
}

// ShownHints returns the hints shown in the current step, in the order shown.
func (s *Session) ShownHints() []lesson.Hint {
	_, step := s.Step()
	if step == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]lesson.Hint, 0, len(s.shown))
	for _, i := range s.shown {
		out = append(out, step.Hints[i])
	}
	return out
}

// failingGoals is the set of goals failing now; nil means no results yet,
// which counts as every goal failing. The caller holds s.mu.
func (s *Session) failingGoals() map[string]bool {
	if len(s.results) == 0 {
		return nil
	}
	failing := map[string]bool{}
	for _, r := range s.results {
		if !r.Pass {
			failing[r.ID] = true
		}
	}
	return failing
}

// nextHint is the index of the first hint, in the author's order, that was
// not shown and is untied or tied to a failing goal (failing nil: all
// fail), or -1.
func nextHint(hints []lesson.Hint, shown []int, failing map[string]bool) int {
	seen := map[int]bool{}
	for _, i := range shown {
		seen[i] = true
	}
	for i, h := range hints {
		if seen[i] {
			continue
		}
		if h.Goal == "" || failing == nil || failing[h.Goal] {
			return i
		}
	}
	return -1
}
