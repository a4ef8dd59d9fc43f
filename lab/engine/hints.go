package engine

import (
	"fmt"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// NextHint returns the next hint, preferring hints tied to the first failing
// goal, and escalating: each call gives a more specific one. ok is false
// when every hint has been shown.
func (s *Session) NextHint() (h lesson.Hint, n int, ok bool) {
	_, step := s.Step()
	if step == nil {
		return lesson.Hint{}, 0, false
	}
	s.mu.Lock()
	failing := ""
	for _, r := range s.results {
		if !r.Pass {
			failing = r.ID
			break
		}
	}
	order := hintOrder(step.Hints, failing)
	if s.hints >= len(order) {
		s.mu.Unlock()
		return lesson.Hint{}, s.hints, false
	}
	h = step.Hints[order[s.hints]]
	s.hints++
	n = s.hints
	s.mu.Unlock()
	s.record(func(_ *progress.Lesson, st *progress.Step) {
		if n > st.HintsShown {
			st.HintsShown = n
		}
	})
	s.logEvent("hint", fmt.Sprint(n))
	return h, n, true
}

// hintOrder puts the hints of the failing goal first, then untied ones, then
// the rest, each group in the author's order.
func hintOrder(hints []lesson.Hint, failing string) []int {
	var tied, free, other []int
	for i, h := range hints {
		switch {
		case failing != "" && h.Goal == failing:
			tied = append(tied, i)
		case h.Goal == "":
			free = append(free, i)
		default:
			other = append(other, i)
		}
	}
	return append(append(tied, free...), other...)
}
