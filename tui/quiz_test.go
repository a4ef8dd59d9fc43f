package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/quiz"
)

func quizModelFor(t *testing.T, lab *testLab, o quiz.Options) Model {
	t.Helper()
	m := New(context.Background(), lab, DefaultStyles(true, true)).WithQuiz(QuizConfig{Options: o, Store: lab.QuizStore()})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return next.(Model)
}

func TestQuizAnswerFlagSubmitAndResults(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "quiz")
	m := quizModelFor(t, lab, quiz.Options{Seed: 3})
	if m.state != stateQuiz || m.quiz.attempt == nil || len(m.quiz.attempt.Questions) < 3 {
		t.Fatalf("quiz did not start: %+v", m.quiz)
	}
	golden(t, "quiz-question-80x24", m.View().Content)
	qs := m.quiz.attempt.Questions
	// Answer the first question right, flag the second, leave the rest.
	m, _ = press(m, string(rune('1'+qs[0].Answers[0])))
	m, _ = press(m, "n")
	m, _ = press(m, "f")
	if !m.quiz.attempt.Flagged[qs[1].ID] || !strings.Contains(ansi.Strip(m.View().Content), "flagged for review") {
		t.Fatal("f does not flag")
	}
	m, _ = press(m, "S")
	if !strings.Contains(ansi.Strip(m.View().Content), "unanswered") {
		t.Fatal("S does not ask to confirm")
	}
	m, _ = press(m, "y")
	r := m.quiz.result
	if r == nil || r.Passed || len(r.Wrong) != len(qs)-1 {
		t.Fatalf("result = %+v", r)
	}
	view := ansi.Strip(m.View().Content)
	for _, want := range []string{"Quiz results", "Not passed", "pass mark 70%", "right: ", "revisit: "} {
		if !strings.Contains(view, want) {
			t.Errorf("results lack %q:\n%s", want, view)
		}
	}
	if cur, _ := lab.QuizStore().Current(); cur != nil {
		t.Error("a submitted quiz is still in progress")
	}
}

func TestQuizLeftMidwayResumesOrIsAbandoned(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "resume")
	m := quizModelFor(t, lab, quiz.Options{Seed: 5})
	first := m.quiz.attempt.Questions[0]
	m, _ = press(m, "2")
	m, _ = press(m, "q") // leave: answers are kept
	if !m.quiz.done {
		t.Fatal("q does not leave")
	}
	m = quizModelFor(t, lab, quiz.Options{Seed: 5})
	if m.quiz.resume == nil || !strings.Contains(ansi.Strip(m.View().Content), "unfinished (1 of") {
		t.Fatalf("no offer to resume: %s", ansi.Strip(m.View().Content))
	}
	m, _ = press(m, "r")
	if got := m.quiz.attempt.Answers[first.ID]; len(got) != 1 || got[0] != 1 {
		t.Fatalf("resumed answers = %v", got)
	}
	m, _ = press(m, "q")
	m = quizModelFor(t, lab, quiz.Options{Seed: 5})
	m, _ = press(m, "a")
	if m.quiz.resume != nil || m.quiz.attempt == nil || len(m.quiz.attempt.Answers) != 0 {
		t.Fatalf("abandon did not start afresh: %+v", m.quiz.attempt)
	}
}

func TestQuizTimeRunsOutAndSubmits(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "timer")
	m := quizModelFor(t, lab, quiz.Options{Seed: 9, Time: time.Minute})
	if !strings.Contains(ansi.Strip(m.View().Content), "left") {
		t.Fatal("no visible timer")
	}
	next, _ := m.Update(tickMsg(time.Now().Add(2 * time.Minute)))
	m = next.(Model)
	if m.quiz.result == nil {
		t.Fatal("the quiz was not submitted when its time ran out")
	}
}

func TestQuizWithNoQuestionsForATopicSaysSo(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "empty")
	m := quizModelFor(t, lab, quiz.Options{Topics: []string{"astrology"}})
	if !strings.Contains(ansi.Strip(m.View().Content), "No quiz: no questions match topic(s) astrology") {
		t.Fatalf("view:\n%s", ansi.Strip(m.View().Content))
	}
}
