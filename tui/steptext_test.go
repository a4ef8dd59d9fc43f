package tui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/kubelab/kubelab/lab/lesson"
)

func TestStepCommandsAreTheShellLinesAndTheHintsCommands(t *testing.T) {
	t.Parallel()
	md := "# Title\n\nRun:\n\n```sh\n$ kubectl get nodes\n# a comment\n\nkubectl describe node a\n```\n\nA manifest:\n\n```yaml\napiVersion: v1\n```\n\n~~~\nkubectl get pods\n~~~\n"
	hints := []lesson.Hint{{Text: "The `ROLES` column; then `kubectl create configmap x --from-literal=a=1`."}}
	got := stepCommands(md, hints)
	want := []string{"kubectl get nodes", "kubectl describe node a", "kubectl get pods", "kubectl create configmap x --from-literal=a=1"}
	if !slices.Equal(got, want) {
		t.Errorf("commands = %q, want %q", got, want)
	}
	if w := codeWidth(md); w != len(codeIndent)+len("kubectl describe node a") {
		t.Errorf("code width = %d", w)
	}
}

// However narrow the column, a code line is whole: a line of its own, cut
// on screen with a marker and scrolled sideways, never wrapped.
func TestNarrowTextMarksAndScrollsACodeLine(t *testing.T) {
	t.Parallel()
	m := New(context.Background(), newTestLab(t, "narrow"), DefaultStyles(true, true))
	m = run(t, m, m.upCmd())
	next, _ := m.Update(tea.WindowSizeMsg{Width: 60, Height: 40})
	m = next.(Model)
	m, cmd := press(m, "enter")
	m = run(t, m, cmd)
	if m.state != stateLesson {
		t.Fatalf("enter did not open the lesson: %v", m.home.err)
	}
	defer m.lesson.close()
	long := "kubectl create configmap my-cluster --from-literal=workers=<number>"
	content := ansi.Strip(m.lesson.text.GetContent())
	if !strings.Contains(content, codeIndent+long) {
		t.Fatalf("the step's text does not hold the command on one line:\n%s", content)
	}
	for m.lesson.text.YOffset() < m.lesson.text.TotalLineCount()-m.lesson.text.Height() { // scroll it into view
		m, _ = press(m, "j")
	}
	line := func() string {
		for _, l := range strings.Split(ansi.Strip(m.lesson.textView()), "\n") {
			if strings.Contains(l, "configmap my-cl") {
				return l
			}
		}
		t.Fatalf("the command is not on screen:\n%s", ansi.Strip(m.lesson.textView()))
		return ""
	}
	if l := line(); !strings.HasSuffix(strings.TrimRight(l, " "), "→") || strings.Contains(l, "<number>") {
		t.Errorf("a cut code line is not marked with →: %q", l)
	}
	for range 10 {
		next, _ := m.Update(tea.KeyPressMsg{Code: tea.KeyRight})
		m = next.(Model)
	}
	if l := line(); !strings.HasPrefix(l, "←") || !strings.Contains(l, "<number>") {
		t.Errorf("→ does not scroll the code line sideways: %q", l)
	}
}

// The issue's own case: at 120 columns the configmap step of lesson 01
// shows its command on one line, and c puts the step's commands on the
// clipboard through OSC 52.
func TestProgramShowsCommandsWholeAndCopiesThem(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "copy")
	tm := teatest.NewTestModel(t, New(context.Background(), lab, DefaultStyles(true, true)), teatest.WithInitialTermSize(120, 40))
	wait := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(50*time.Millisecond))
	}
	cmd := "kubectl create configmap my-cluster --from-literal=workers=<number>"
	wait("What Kubernetes is")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("One big computer")
	for range 3 { // page down to the command
		tm.Send(tea.KeyPressMsg{Code: tea.KeyPgDown})
	}
	wait(cmd)
	tm.Send(tea.KeyPressMsg{Code: 'y', Text: "y"})
	wait(ansi.SetSystemClipboard("kubectl get nodes\n" + cmd + "\n"))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	view := ansi.Strip(tm.FinalModel(t).(Model).View().Content)
	var whole bool
	for _, l := range strings.Split(view, "\n") {
		whole = whole || strings.Contains(l, cmd)
	}
	if !whole {
		t.Errorf("the command is not on one line at 120 columns:\n%s", view)
	}
	if !strings.Contains(view, "Copied 2 command(s) to the clipboard") {
		t.Errorf("c does not say what it copied:\n%s", view)
	}
}

// A list item the author wrapped by hand reads as one paragraph, wrapped to
// the screen, not as its source lines wrapped again.
func TestHandWrappedListItemsWrapToTheScreen(t *testing.T) {
	t.Parallel()
	md := "A cluster has two halves:\n\n- the **control plane**: the API server (what `kubectl` talks to), the\n  store that remembers what you asked for, the **scheduler** that picks a\n  node for each pod;\n- the **worker nodes**.\n"
	got := ansi.Strip(renderStepText(md, nil, 0, 60, DefaultStyles(true, true)))
	for _, l := range strings.Split(got, "\n") {
		if w := ansi.StringWidth(strings.TrimRight(l, " ")); w > 60 {
			t.Errorf("line wider than 60 (%d): %q", w, l)
		}
		if strings.TrimSpace(l) == "the" || strings.TrimSpace(l) == "picks a" {
			t.Errorf("a source line was wrapped again, leaving %q alone:\n%s", l, got)
		}
	}
	if !strings.Contains(got, "worker nodes") {
		t.Errorf("the second item is lost:\n%s", got)
	}
}
