package tui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/quiz"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func quizModelFor(t *testing.T, lab *testLab, o quiz.Options) Model {
	t.Helper()
	m := New(context.Background(), lab, DefaultStyles(true, true)).WithQuiz(QuizConfig{Options: o, Store: lab.QuizStore()})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	return next.(Model)
}

func TestQuizAnswerFlagSubmitAndResults(t *testing.T) {
	t.Parallel()
	lab := fixtureLab(t, "quiz")
	m := quizModelFor(t, lab, quiz.Options{Seed: 3, NoTasks: true, Count: 6})
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
	m, cmd := press(m, "y")
	m = run(t, m, cmd)
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
	m := quizModelFor(t, lab, quiz.Options{Seed: 5, NoTasks: true})
	first := m.quiz.attempt.Questions[0]
	m, _ = press(m, "2")
	_, cmd := press(m, "q") // leave: answers are kept
	if cmd == nil || cmd() != (quizDoneMsg{}) {
		t.Fatal("q does not leave")
	}
	m = quizModelFor(t, lab, quiz.Options{Seed: 5, NoTasks: true})
	if m.quiz.resume == nil || !strings.Contains(ansi.Strip(m.View().Content), "unfinished (1 of") {
		t.Fatalf("no offer to resume: %s", ansi.Strip(m.View().Content))
	}
	m, cmd = press(m, "r")
	m = run(t, m, cmd)
	if got := m.quiz.attempt.Answers[first.ID]; len(got) != 1 || got[0] != 1 {
		t.Fatalf("resumed answers = %v", got)
	}
	m, _ = press(m, "q")
	m = quizModelFor(t, lab, quiz.Options{Seed: 5, NoTasks: true})
	m, cmd = press(m, "a")
	m = run(t, m, cmd)
	if m.quiz.resume != nil || m.quiz.attempt == nil || len(m.quiz.attempt.Answers) != 0 {
		t.Fatalf("abandon did not start afresh: %+v", m.quiz.attempt)
	}
}

func TestQuizTimeRunsOutAndSubmits(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "timer")
	m := quizModelFor(t, lab, quiz.Options{Seed: 9, Time: time.Minute, NoTasks: true})
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

// A hands-on task is judged by the live cluster when the quiz is submitted.
func TestQuizHandsOnTaskIsJudgedByTheCluster(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "task")
	m := New(context.Background(), lab, DefaultStyles(true, true)).WithQuiz(QuizConfig{Options: quiz.Options{Topics: []string{"replicaset"}, Seed: 1}, Store: lab.QuizStore()})
	if m.state != stateStartup {
		t.Fatalf("a quiz with tasks must bring the cluster up first; state = %v", m.state)
	}
	m = run(t, m, m.upCmd())
	if m.state != stateQuiz {
		t.Fatalf("state after up = %v", m.state)
	}
	var task quiz.Question
	for i, q := range m.quiz.attempt.Questions {
		if q.Task == "four-replicas" { // the replicaset topic has other tasks too
			task = q
			for m.quiz.cursor < i {
				var cmd tea.Cmd
				m, cmd = press(m, "n")
				m = run(t, m, cmd) // starts the task's session
			}
		}
	}
	if !task.IsTask() {
		t.Fatal("no hands-on task selected")
	}
	if m.quiz.cursor == 0 { // the task came first: start it as Init would
		m = run(t, m, m.quizCmd())
	}
	s := m.quiz.running[task.ID]
	if s == nil {
		t.Fatalf("the task did not start: %q", m.quiz.message)
	}
	// Do the task as the learner would: four replicas.
	env := clustertest.Cluster(t)
	patch := []byte(`{"spec":{"replicas":4}}`)
	if _, err := env.Client.AppsV1().ReplicaSets(s.Namespace()).Patch(context.Background(), "web", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !check.AllPass(m.quiz.goals[task.ID]); {
		if time.Now().After(deadline) {
			t.Fatalf("task goals never passed: %+v", m.quiz.goals[task.ID])
		}
		next, _ := m.Update(taskEventMsg{id: task.ID, event: <-s.Events()})
		m = next.(Model)
	}
	m, _ = press(m, "S")
	m, cmd := press(m, "y")
	m = run(t, m, cmd)
	if got := m.quiz.attempt.Answers[task.ID]; len(got) != 1 || got[0] != 1 || slices.Contains(m.quiz.result.Wrong, task.ID) {
		t.Fatalf("the solved task was not counted right: answer %v, wrong %v", got, m.quiz.result.Wrong)
	}
}
