package tui

import (
	"context"
	"strings"
	"testing"

	"charm.land/bubbles/v2/help"
	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/quiz"
)

// ? on the lesson list, a lesson and a quiz lists the keys of that screen,
// every one of them (home's z and the quiz's S, f and digits included).
func TestHelpListsTheKeysOfTheScreenShown(t *testing.T) {
	t.Parallel()
	lab := fixtureLab(t, "keys")
	m := New(context.Background(), lab, DefaultStyles(true, true))
	m = run(t, m, m.upCmd())
	if m.state != stateHome {
		t.Fatalf("after up: state = %v", m.state)
	}
	helpShows(t, m, "help-home-80x24", m.c.keys.Home, "z", "quiz")

	m, cmd := press(m, "enter")
	m = run(t, m, cmd)
	if m.state != stateLesson {
		t.Fatalf("enter did not open the lesson: %v", m.home.err)
	}
	helpShows(t, m, "help-lesson-80x24", m.c.keys.Lesson, "reset step", "½ page down")
	m.lesson.close()

	q := quizModelFor(t, lab, quiz.Options{Seed: 3, NoTasks: true})
	helpShows(t, q, "help-quiz-80x24", q.quiz.keyMap(), "S", "submit", "f", "flag for review", "1-9")
	if view := helpView(q); strings.Contains(view, "resume") || strings.Contains(view, "shell") {
		t.Errorf("a concept question's help lists keys it does not take:\n%s", view)
	}
	q, _ = press(q, "q") // leave; the next quiz offers to resume
	q = quizModelFor(t, lab, quiz.Options{Seed: 3, NoTasks: true})
	if q.quiz.resume == nil {
		t.Fatal("no offer to resume")
	}
	if view := helpView(q); !strings.Contains(view, "abandon it and start a new one") || strings.Contains(view, "submit") {
		t.Errorf("the offer to resume lists the wrong keys:\n%s", view)
	}
}

func helpView(m Model) string {
	m, _ = press(m, "?")
	return ansi.Strip(m.View().Content)
}

// helpShows checks the help overlay against its golden and for every key
// the screen's KeyMap enables, and for the texts named.
func helpShows(t *testing.T, m Model, name string, keys help.KeyMap, texts ...string) {
	t.Helper()
	view := helpView(m)
	golden(t, name, view)
	for _, col := range keys.FullHelp() {
		for _, b := range col {
			if h := b.Help(); b.Enabled() && !strings.Contains(view, h.Desc) {
				t.Errorf("%s: ? does not list %s (%s):\n%s", name, h.Key, h.Desc, view)
			}
		}
	}
	for _, s := range texts {
		if !strings.Contains(view, s) {
			t.Errorf("%s: ? does not show %q:\n%s", name, s, view)
		}
	}
}
