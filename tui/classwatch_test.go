package tui

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/lesson"
)

var classNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func classLessons() []*lesson.Lesson {
	return []*lesson.Lesson{
		{ID: "cluster", Title: "What Kubernetes is", Steps: make([]lesson.Step, 2)},
		{ID: "pods", Title: "Your first Pod", Steps: make([]lesson.Step, 3)},
		{ID: "services", Title: "Services", Steps: make([]lesson.Step, 4)},
	}
}

// classRoom: ana finished lesson 1 and works on pods; ben has had a goal
// failing for 8 minutes; cy has not joined.
func classRoom(classNow time.Time) class.Room {
	return class.Room{Class: "ws1", Learners: []class.Seat{
		{Name: "ana", Progress: &class.Published{Updated: classNow.Add(-5 * time.Second),
			Lessons: map[string]class.LessonProgress{"cluster": {Done: []string{"why", "look"}, Finished: true}, "pods": {Done: []string{"run"}}},
			Current: &class.CurrentStep{Lesson: "pods", Step: "where", Index: 1, Count: 3, Title: "Where it runs", Available: true,
				Goals: []class.Goal{{Name: "a pod named web runs", Passing: true, Since: classNow.Add(-time.Minute)}, {Name: "it is labelled", Since: classNow.Add(-time.Minute)}}}}},
		{Name: "ben", Progress: &class.Published{Updated: classNow.Add(-30 * time.Second),
			Lessons: map[string]class.LessonProgress{"cluster": {Done: []string{"why"}}},
			Current: &class.CurrentStep{Lesson: "cluster", Step: "look", Index: 1, Count: 2, Title: "A first look", Available: true, Hints: 1, Started: classNow.Add(-9 * time.Minute),
				Goals: []class.Goal{{Name: "you listed the nodes", Since: classNow.Add(-8 * time.Minute)}}}}},
		{Name: "cy"},
	}}
}

func classModelAt(t *testing.T) ClassModel {
	t.Helper()
	m := NewClassModel(classLessons(), DefaultStyles(true, true))
	next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 30})
	next, _ = next.Update(roomMsg{classRoom(classNow)})
	next, _ = next.Update(clockMsg(classNow))
	return next.(ClassModel)
}

func pressClass(m ClassModel, k string) ClassModel {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	next, _ := m.Update(msg)
	return next.(ClassModel)
}

func TestClassGrid(t *testing.T) {
	t.Parallel()
	m := classModelAt(t)
	golden(t, "class-120x30", m.View().Content)
}

func TestClassGridSortsStuckFirstAndOpensALearner(t *testing.T) {
	t.Parallel()
	m := classModelAt(t)
	if got := m.rows()[0].Name; got != "ana" {
		t.Fatalf("roster order starts with %s", got)
	}
	m = pressClass(m, "s")
	if got := m.rows()[0].Name; got != "ben" || m.sort != sortStuck {
		t.Fatalf("sorted by %v, first row %s; want ben (stuck) first", m.sort, got)
	}
	m = pressClass(m, "enter")
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"ben", "A first look", "✗ you listed the nodes", "for 8m", "Looks stuck"} {
		if !strings.Contains(view, want) {
			t.Errorf("ben's goals view lacks %q:\n%s", want, view)
		}
	}
	m = pressClass(m, "esc")
	if m.detail || !strings.Contains(m.View().Content, "LEARNER") {
		t.Fatal("esc did not go back to the room")
	}
	m = pressClass(m, "s")
	if got := m.rows()[0].Name; got != "ana" || m.sort != sortProgress {
		t.Fatalf("sorted by %v, first row %s; want ana (3 steps done) first", m.sort, got)
	}
}

// TestClassWatchShowsALearnersChange runs the grid as a program and feeds it
// rooms as Watch does; a learner passing a step shows at once.
func TestClassWatchShowsALearnersChange(t *testing.T) {
	t.Parallel()
	tm := teatest.NewTestModel(t, NewClassModel(classLessons(), DefaultStyles(true, true)), teatest.WithInitialTermSize(120, 30))
	wait := func(what ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, w := range what {
				if !bytes.Contains(b, []byte(w)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("Reading the class")
	now := time.Now()
	tm.Send(roomMsg{classRoom(now)})
	wait("ana", "ben", "not joined yet", "working", "stuck:")
	r2 := classRoom(now)
	r2.Learners[1].Progress.Current.Passed = true
	tm.Send(roomMsg{r2})
	wait("step passed")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

func TestClassWatchEndsWithTheFeedsSentence(t *testing.T) {
	t.Parallel()
	m := NewClassModel(classLessons(), DefaultStyles(true, true))
	next, _ := m.Update(feedEndedMsg{err: context.DeadlineExceeded})
	if !strings.Contains(next.(ClassModel).View().Content, context.DeadlineExceeded.Error()) {
		t.Fatal("the feed's error is not shown")
	}
}

func TestClassGridScrollsARoomTallerThanTheScreen(t *testing.T) {
	t.Parallel()
	m := NewClassModel(classLessons(), DefaultStyles(true, true))
	var r class.Room
	for i := range 40 {
		r.Learners = append(r.Learners, class.Seat{Name: fmt.Sprintf("learner%02d", i+1)})
	}
	next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 20})
	next, _ = next.Update(roomMsg{r})
	m = next.(ClassModel)
	for range 30 {
		m = pressClass(m, "down")
	}
	view := ansi.Strip(m.View().Content)
	if !strings.Contains(view, "▸ learner31") || strings.Contains(view, "learner01") || !strings.Contains(view, "of 40") {
		t.Fatalf("after 30 downs the cursor's row is not in view, or the top still is:\n%s", view)
	}
}
