package tui

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/host/hosttest"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lessons"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// testLab is the lab kubelab runs (lab/host) over the test binary's
// cluster; its lessons are the built-in ones under ids of their own, so tests
// do not share namespaces.
type testLab struct {
	*host.Lab
	lessons []*lesson.Lesson
}

func newTestLab(t *testing.T, suffix string) *testLab { return newTestLabFS(t, suffix, lessons.FS()) }

func newTestLabFS(t *testing.T, suffix string, fsys fs.FS) *testLab {
	t.Helper()
	return newTestLabWith(t, suffix, fsys, "")
}

// newTestLabWith is newTestLabFS with the kubelab binary that runs kubectl
// commands (solutions, the catch-up of steps that build on others).
func newTestLabWith(t *testing.T, suffix string, fsys fs.FS, kubelab string) *testLab {
	t.Helper()
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var mine []*lesson.Lesson
	for _, l := range all {
		cp := *l
		cp.ID = l.ID + "-" + suffix
		mine = append(mine, &cp)
	}
	h := hosttest.New(t, host.Config{LessonsFS: fsys, Lessons: mine, Kubelab: kubelab})
	t.Cleanup(func() {
		for _, l := range mine {
			_ = clustertest.Cluster(t).Client.CoreV1().Namespaces().Delete(context.Background(), l.Namespace(), metav1.DeleteOptions{})
		}
	})
	return &testLab{Lab: h, lessons: mine}
}

// run executes a command and feeds its message back, as the runtime would.
func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c != nil {
				if inner := c(); inner != nil {
					if _, isTick := inner.(tickMsg); !isTick {
						next, _ := m.Update(inner)
						m = next.(Model)
					}
				}
			}
		}
		return m
	}
	next, _ := m.Update(msg)
	return next.(Model)
}

func press(m Model, k string) (Model, tea.Cmd) {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	next, cmd := m.Update(msg)
	return next.(Model), cmd
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = ansi.Strip(got)
	var lines []string
	for _, l := range strings.Split(got, "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	got = strings.Join(lines, "\n")
	path := filepath.Join("testdata", name+".golden")
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" { // teatest's golden package defines -update
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, path, got, want)
	}
}

func TestUpdateFlowsFromStartupToLessonAndBack(t *testing.T) {
	t.Parallel()
	lab := fixtureLab(t, "flow")
	m := New(context.Background(), lab, DefaultStyles(true, true))
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = next.(Model)
	if m.state != stateHome {
		t.Fatalf("state = %v: the lesson list is not shown at once", m.state)
	}
	m = run(t, m, m.upCmd())
	if m.state != stateHome {
		t.Fatalf("after up: state = %v", m.state)
	}
	golden(t, "home-80x24", m.View().Content)

	m, _ = press(m, "down")
	if m.home.cursor != 1 {
		t.Fatalf("cursor = %d", m.home.cursor)
	}
	m, _ = press(m, "k")
	m, cmd := press(m, "enter")
	m = run(t, m, cmd)
	if m.state != stateLesson || m.lesson.session == nil {
		t.Fatalf("enter did not open the lesson: state %v, home err %v", m.state, m.home.err)
	}
	// Wait for the first results from the live checker.
	for deadline := time.Now().Add(20 * time.Second); m.lesson.results == nil; {
		if time.Now().After(deadline) {
			t.Fatal("no results")
		}
		m = run(t, m, m.lesson.listen())
	}
	m.lesson.nodes = nodesMsg{ready: 3, total: 3}
	golden(t, "lesson-80x24", m.View().Content)

	hints := m.lesson.session.Lesson.Steps[0].Hints
	m, _ = press(m, "h")
	if want := "Hint 1/3: " + hints[0].Text; m.lesson.message != want {
		t.Errorf("hint message = %q, want the first authored hint %q", m.lesson.message, want)
	}
	m, _ = press(m, "h")
	if want := "Hint 2/3: " + hints[1].Text; m.lesson.message != want {
		t.Errorf("hint message = %q, want the second authored hint %q", m.lesson.message, want)
	}
	// The hints shown stay listed under the step's text, where it scrolls.
	if text := ansi.Strip(m.lesson.text.GetContent()); !strings.Contains(text, "Hints shown (2/3)") || !strings.Contains(text, "1. ") || !strings.Contains(text, "2. ") {
		t.Errorf("the step's text does not list the hints shown:\n%s", text)
	}
	m, _ = press(m, "s")
	if !m.lesson.dialog.Open() || m.lesson.dialog.ID() != askSolution || !strings.Contains(m.View().Content, "Show the solution?") {
		t.Fatal("s does not ask to confirm")
	}
	m, cmd = press(m, "y")
	m = run(t, m, cmd)
	if !strings.Contains(m.lesson.message, "kubectl create configmap my-cluster --from-literal=workers=2") {
		t.Errorf("solution message = %q", m.lesson.message)
	}
	m, _ = press(m, "?")
	if !m.showAll || !strings.Contains(m.View().Content, "reset step") {
		t.Error("? does not show every key")
	}
	m, _ = press(m, "x") // any key closes the overlay
	m, cmd = press(m, "esc")
	m = run(t, m, cmd)
	if m.state != stateHome {
		t.Fatalf("esc: state = %v", m.state)
	}
}

func TestStartupErrorIsOneClearSentence(t *testing.T) {
	t.Parallel()
	m := New(context.Background(), newTestLab(t, "err"), DefaultStyles(true, true))
	next, _ := m.Update(phaseMsg{title: "Starting etcd", elapsed: 300 * time.Millisecond})
	next, _ = next.(Model).Update(upDoneMsg{err: os.ErrPermission})
	view := ansi.Strip(next.(Model).View().Content)
	for _, want := range []string{"Starting etcd", "The lab cluster could not start.", "permission denied", "press q to quit"} {
		if !strings.Contains(view, want) {
			t.Errorf("start-up view lacks %q:\n%s", want, view)
		}
	}
}

// A whole program: open the first lesson, satisfy its goals through the API
// as a learner's kubectl would, and see them turn green on screen.
func TestProgramGoalsTurnGreenLive(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "live")
	tm := teatest.NewTestModel(t, New(context.Background(), lab, DefaultStyles(true, true)), teatest.WithInitialTermSize(100, 30))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
	}
	wait("What Kubernetes is")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("there is no configmap named my-cluster")
	env := clustertest.Cluster(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-cluster"}, Data: map[string]string{"workers": "2"}}
	if _, err := env.Client.CoreV1().ConfigMaps(lab.lessons[0].Namespace()).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wait("Step complete!")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if st := lab.Progress().Lessons[lab.lessons[0].ID].Steps["why"]; st == nil || st.Finished.IsZero() {
		t.Fatalf("progress not saved: %+v", st)
	}
}

// The on-duty panel in a whole program: open the queue step of the on-duty
// lesson and see the simulated queue's figures arrive and grow.
func TestProgramShowsTheOnDutyPanelLive(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "duty")
	idx := -1
	for i, l := range lab.lessons {
		if strings.HasPrefix(l.ID, "onduty-") {
			idx = i
		}
	}
	if idx < 0 {
		t.Fatal("no on-duty lesson")
	}
	seen := &watched{}
	tm := teatest.NewTestModel(t, probe{New(context.Background(), lab, DefaultStyles(true, true)), seen.record}, teatest.WithInitialTermSize(120, 40))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(40*time.Second), teatest.WithCheckInterval(100*time.Millisecond))
	}
	wait("What Kubernetes is")
	for range idx {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("Is everything running?")
	// Skip ahead to the queue step, as a learner may.
	for _, title := range []string{"Running is not answering", "Restart it once it failed", "The queue is growing"} {
		seen.nextStep(t, tm, 90*time.Second)
		if got := lab.lessons[idx].Steps[seen.step].Title; got != title {
			t.Fatalf("n went to %q, want %q", got, title)
		}
	}
	wait("On duty · live from /metrics")
	wait("waiting")
	// Let the queue grow for a few readings, then look at what the panel holds.
	seen.waitFor(t, "five readings of a growing queue", 30*time.Second, func(w *watched) bool { return w.readings >= 5 && w.grown })
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	m := tm.FinalModel(t).(probe).Model
	readings := m.lesson.metrics
	if len(readings) < 3 {
		t.Fatalf("%d readings", len(readings))
	}
	first, last := readings[0], readings[len(readings)-1]
	r := metrics.RatesBetween(first, last)
	if !last.HasQueue || last.Workers != 1 || last.QueueLength <= first.QueueLength || r.Produced < 12 || r.Consumed > 8 || last.HasServer {
		t.Errorf("panel readings: first %+v, last %+v, rates %+v", first, last, r)
	}
	view := ansi.Strip(m.lesson.panelView(DefaultStyles(true, true), 60))
	for _, want := range []string{"waiting", "1 ready"} {
		if !strings.Contains(view, want) {
			t.Errorf("panel lacks %q:\n%s", want, view)
		}
	}
}

// Skipping ahead as a learner would: open 02-pods and press n twice to
// reach "A container dies". The step sets up the pod the earlier step would
// have made, the fault kills its container, and the goals panel shows live
// results instead of "checking…".
func TestProgramSkippingAheadSetsTheStepUp(t *testing.T) {
	t.Parallel()
	lab := newTestLabWith(t, "skip", lessons.FS(), hosttest.Kubelab(t))
	seen := &watched{}
	tm := teatest.NewTestModel(t, probe{New(context.Background(), lab, DefaultStyles(true, true)), seen.record}, teatest.WithInitialTermSize(120, 40))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(90*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
	}
	wait("What Kubernetes is")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("there is no pod named web")
	seen.nextStep(t, tm, 90*time.Second) // "Where does it run?"
	seen.nextStep(t, tm, 90*time.Second)
	// The screen as the model draws it: the terminal's bytes are a diff of
	// frames, where a ✗ turning ✓ is one character rewritten.
	seen.waitFor(t, "the fault and the restarted pod on screen", 90*time.Second, func(w *watched) bool {
		for _, want := range []string{"A container dies", "killed a container", "✓ Pod web is running again"} {
			if !strings.Contains(w.view, want) {
				return false
			}
		}
		return true
	})
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}
