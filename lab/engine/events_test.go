package engine

import (
	"sync"
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
)

// Faults emit from goroutines of their own, which may still run when the
// session is closed: emitting after or during Close never panics.
func TestEmitIsSafeAgainstClose(t *testing.T) {
	t.Parallel()
	s := Open(Config{}, &lesson.Lesson{ID: "x"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				s.emit(Event{Kind: EventProblem, Message: "late"})
			}
		})
	}
	s.Close()
	wg.Wait()
	n := 0
	for range s.Events() {
		n++
	}
	if n > cap(s.events) {
		t.Errorf("%d events after close, more than the buffer holds", n)
	}
}
