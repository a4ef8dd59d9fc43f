package tui

import (
	"context"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// Opening a lesson and leaving it, twenty times, leaves no goroutine behind:
// the lesson's listener ends when its session closes. Not parallel: it
// counts the process's goroutines, and Go runs the non-parallel tests alone.
func TestOpeningAndLeavingALessonLeavesNoGoroutines(t *testing.T) {
	lab := fixtureLab(t, "leak")
	seen := &watched{}
	tm := teatest.NewTestModel(t, probe{New(context.Background(), lab, DefaultStyles(true, true)), seen.record}, teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() { _ = tm.Quit() })
	seen.waitFor(t, "the lesson list", 30*time.Second, func(w *watched) bool { return w.state == stateHome })
	cycle := func() {
		t.Helper()
		tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		seen.waitFor(t, "the lesson with its goals", 30*time.Second, func(w *watched) bool { return w.results })
		tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		seen.waitFor(t, "back to the lesson list", 30*time.Second, func(w *watched) bool { return w.state == stateHome })
	}
	cycle() // the first opening makes the clients and connections that stay
	before := settledGoroutines(0)
	for range 20 {
		cycle()
	}
	const slack = 5 // ticks and status-bar reads come and go
	if after := settledGoroutines(before + slack); after > before+slack {
		t.Errorf("%d goroutines before opening a lesson 20 times, %d after", before, after)
	}
}

// settledGoroutines counts goroutines once those that are ending have
// ended: the least seen within 3 s, or the first count at or under target.
func settledGoroutines(target int) int {
	least := runtime.NumGoroutine()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && least > target; time.Sleep(50 * time.Millisecond) {
		least = min(least, runtime.NumGoroutine())
	}
	return least
}
