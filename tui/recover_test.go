package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
)

// A lesson open in a whole program on an embedded cluster of its own, whose
// process is killed (kill -9, as an OOM kill would): within 5 s the screen
// says so and which key brings it back, the goals panel stops showing the
// old results; the key restarts the cluster on its data and the lesson
// carries on: the hint shown is still listed, the goal is live again and
// the step is solvable, and the progress recorded before is kept.
func TestProgramBringsAKilledClusterBack(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin, err := clustertest.ClusterBinary()
	if err != nil {
		t.Fatal(err)
	}
	p, err := embedded.New(embedded.WithStateDir(filepath.Join(dir, "embedded")), embedded.WithPort(-1), embedded.WithBinary(bin))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = p.Down(ctx)
	})
	fsys := os.DirFS("testdata/lessons")
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(context.Background(), host.Config{Provider: p, LessonsFS: fsys, Lessons: all, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	seen := &watched{}
	tm := teatest.NewTestModel(t, probe{New(context.Background(), h, DefaultStyles(true, true)), seen.record}, teatest.WithInitialTermSize(100, 30))
	t.Cleanup(func() { _ = tm.Quit() })
	wait := func(what string, within time.Duration) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(within), teatest.WithCheckInterval(20*time.Millisecond))
	}
	seen.waitFor(t, "the cluster up", 2*time.Minute, func(w *watched) bool { return w.cluster == cluster.Running })
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("there is no configmap named my-cluster", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: 'h', Text: "h"})
	wait("Hint 1/3", 10*time.Second)
	before := h.Progress().Lessons["first"]
	if before == nil || before.Steps["why"] == nil {
		t.Fatalf("no progress recorded for the open step: %+v", before)
	}

	pidData, err := os.ReadFile(p.Layout().PidFile())
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(pidData)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	seen.waitFor(t, "the screen says the cluster is gone", 5*time.Second, func(w *watched) bool {
		return strings.Contains(w.view, "The lab cluster stopped") || strings.Contains(w.view, "The lab cluster does not answer")
	})
	t.Logf("detected %s after kill -9", time.Since(killed).Round(10*time.Millisecond))
	seen.waitFor(t, "the goals panel says the cluster is unreachable", time.Second, func(w *watched) bool {
		return strings.Contains(w.view, "cluster unreachable") && !strings.Contains(w.view, "there is no configmap")
	})
	seen.mu.Lock()
	view := seen.view
	seen.mu.Unlock()
	if !strings.Contains(view, "press c") || (!strings.Contains(view, "embedded stopped · ns") && !strings.Contains(view, "embedded unreachable · ns")) {
		t.Errorf("the lesson screen does not say which key brings the cluster back, or the status bar what it is:\n%s", view)
	}

	pressed := time.Now()
	tm.Send(tea.KeyPressMsg{Code: 'c', Text: "c"})
	wait("the goals are live again", 2*time.Minute)
	t.Logf("recovered %s after the key", time.Since(pressed).Round(10*time.Millisecond))

	env, err := host.ClientsFor(p)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-cluster"}, Data: map[string]string{"workers": "2"}}
	if _, err := env.Client.CoreV1().ConfigMaps(all[0].Namespace()).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	wait("Step complete!", 30*time.Second)
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	if final := tm.FinalModel(t).(probe).Model; len(final.lesson.session.ShownHints()) != 1 {
		t.Errorf("the hint shown before the cluster was lost is gone: %d shown", len(final.lesson.session.ShownHints()))
	}

	after := h.Progress().Lessons["first"]
	st := after.Steps["why"]
	if st == nil || st.Finished.IsZero() {
		t.Fatalf("the step solved after the cluster came back is not recorded: %+v", st)
	}
	if after.Current != before.Current || st.Attempts != before.Steps["why"].Attempts+1 {
		t.Errorf("progress changed across the restart: before current %q attempts %d, after current %q attempts %d",
			before.Current, before.Steps["why"].Attempts, after.Current, st.Attempts)
	}
}

// A cluster that cannot come back (its kind nodes were removed): the lab
// asks before creating it afresh, saying the progress is kept; n leaves it
// stopped, and y starts the recreate.
func TestRecreateIsAskedFirst(t *testing.T) {
	t.Parallel()
	m := New(context.Background(), fixtureLab(t, "recreate"), DefaultStyles(true, true))
	m = run(t, m, m.upCmd())
	next, _ := m.Update(recreateMsg{})
	m = next.(Model)
	view := strings.Join(strings.Fields(strings.ReplaceAll(ansi.Strip(m.View().Content), "║", " ")), " ") // the dialog's words, unwrapped
	for _, want := range []string{"cannot be started again", "Create it afresh?", "progress is kept"} {
		if !strings.Contains(view, want) {
			t.Errorf("the question lacks %q:\n%s", want, view)
		}
	}
	m, cmd := press(m, "n")
	m = run(t, m, cmd)
	if m.ask.Open() || m.recovering || m.c.cluster.state != cluster.Stopped {
		t.Errorf("after n: dialog open %v, recovering %v, state %s", m.ask.Open(), m.recovering, m.c.cluster.state)
	}
	if view := ansi.Strip(m.View().Content); !strings.Contains(view, "press c") {
		t.Errorf("after n the lesson list does not say which key brings the cluster back:\n%s", view)
	}
	next, _ = m.Update(recreateMsg{})
	m, cmd = press(next.(Model), "y")
	chosen := cmd() // the dialog's answer; the recreate itself is not run here
	next, recreate := m.Update(chosen)
	m = next.(Model)
	if !m.recovering || recreate == nil || m.c.cluster.state != cluster.Starting {
		t.Errorf("after y: recovering %v, command %v, state %s", m.recovering, recreate != nil, m.c.cluster.state)
	}
}
