package tui

import (
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kubelab/kubelab/lab/cluster"
)

// fixtureLab is a test lab over the fixture lessons in testdata/lessons: the
// goldens render them, so editing a built-in lesson does not change a golden.
func fixtureLab(t *testing.T, suffix string) *testLab {
	t.Helper()
	return newTestLabFS(t, suffix, os.DirFS("testdata/lessons"))
}

// probe is the root model with a hook called after every update (on the
// program's goroutine), so a test of a whole program can wait for what the
// model holds instead of sleeping.
type probe struct {
	Model
	seen func(Model)
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := p.Model.Update(msg)
	p.Model = next.(Model)
	p.seen(p.Model)
	return p, cmd
}

// watched keeps a summary of the model a probe saw last.
type watched struct {
	mu       sync.Mutex
	state    state
	results  bool // the lesson shows goal results
	readings int  // the on-duty panel's readings
	grown    bool // its queue grew from the first reading to the last
	cluster  cluster.State
	view     string // the lesson screen as last drawn, without colours
	step     int    // the lesson's step shown (from 0)
	busy     bool   // a step is starting or resetting; keys wait for it
}

func (w *watched) record(m Model) {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := m.lesson.metrics
	w.state, w.results, w.readings = m.state, m.state == stateLesson && m.lesson.results != nil, len(r)
	w.grown = len(r) > 1 && r[len(r)-1].QueueLength > r[0].QueueLength
	w.cluster = m.c.cluster.state
	w.step, w.busy = m.lesson.step, m.lesson.busy != ""
	if m.state == stateLesson {
		w.view = ansi.Strip(m.lesson.view())
	}
}

// nextStep presses n as a learner does, once the step shown has started
// (keys pressed while a step starts are dropped, as the footer says), and
// waits for the next step to start: a title on screen does not say so,
// since the lesson's text may name the next step before it starts.
func (w *watched) nextStep(t *testing.T, tm *teatest.TestModel, within time.Duration) {
	t.Helper()
	var from int
	w.waitFor(t, "the step shown to start", within, func(w *watched) bool {
		from = w.step
		return w.state == stateLesson && !w.busy && w.results
	})
	tm.Send(tea.KeyPressMsg{Code: 'n', Text: "n"})
	w.waitFor(t, fmt.Sprintf("step %d to start", from+2), within, func(w *watched) bool {
		return w.step == from+1 && !w.busy
	})
}

// waitFor waits until cond holds of what the probe saw.
func (w *watched) waitFor(t *testing.T, what string, within time.Duration, cond func(w *watched) bool) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		w.mu.Lock()
		ok := cond(w)
		w.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}
