package goals

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/check"
)

func TestViewShowsEachGoalAndWhatAFailingOneLacks(t *testing.T) {
	t.Parallel()
	rs := []check.Result{
		{ID: "a", Title: "Pod web is Running", Pass: true},
		{ID: "b", Title: "It has two replicas", Expected: "replicas is 2", Actual: "replicas is 1"},
	}
	for _, c := range []struct {
		name       string
		m          Model
		want, lack []string
	}{
		{"lesson", Model{Title: "Goals", Results: rs, Want: true},
			[]string{"Goals\n", "✓ Pod web is Running", "✗ It has two replicas", "  want: replicas is 2", "  now:  replicas is 1"}, nil},
		{"task", Model{Results: rs},
			[]string{"✓ Pod web is Running", "✗ It has two replicas", "  now: replicas is 1"}, []string{"want:", "Goals"}},
		{"waiting", Model{Title: "Goals", Waiting: "checking…"}, []string{"Goals\nchecking…"}, []string{"✓", "✗"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			view := ansi.Strip(c.m.View(60))
			for _, w := range c.want {
				if !strings.Contains(view, w) {
					t.Errorf("view lacks %q:\n%s", w, view)
				}
			}
			for _, l := range c.lack {
				if strings.Contains(view, l) {
					t.Errorf("view has %q:\n%s", l, view)
				}
			}
		})
	}
}

func TestLongTextWrapsUnderItsLabel(t *testing.T) {
	t.Parallel()
	rs := []check.Result{{Title: "x", Actual: strings.Repeat("word ", 20)}}
	view := ansi.Strip(Model{Results: rs, Want: true}.View(40))
	lines := strings.Split(view, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[3], "        word") {
		t.Fatalf("the now line does not wrap under its label:\n%s", view)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 40 {
			t.Errorf("line of %d cells in 40: %q", w, l)
		}
	}
}
