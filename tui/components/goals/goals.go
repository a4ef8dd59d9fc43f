package goals

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

// Styles draw the goals.
type Styles struct {
	Title, Pass, Fail, Muted lipgloss.Style
}

// Model is the goals of a step or a hands-on task.
type Model struct {
	Title   string         // a heading; empty for none
	Results []check.Result // nil until the first check
	Waiting string         // shown until then
	Want    bool           // show what a failing goal wants, not only what is
	Styles  Styles
}

// View draws the goals in lines of at most width cells.
func (m Model) View(width int) string {
	s := m.Styles
	var b strings.Builder
	if m.Title != "" {
		b.WriteString(s.Title.Render(m.Title) + "\n")
	}
	if m.Results == nil {
		b.WriteString(s.Muted.Render(m.Waiting))
		return b.String()
	}
	now := "  now: "
	if m.Want {
		now = "  now:  " // lined up under "  want: "
	}
	pad := strings.Repeat(" ", len(now))
	for _, r := range m.Results {
		if r.Pass {
			b.WriteString(s.Pass.Render("✓ ") + wrap.Words(r.Title, width-2, "  ") + "\n")
			continue
		}
		b.WriteString(s.Fail.Render("✗ ") + wrap.Words(r.Title, width-2, "  ") + "\n")
		if m.Want {
			b.WriteString(s.Muted.Render("  want: ") + wrap.Words(r.Expected, width-len(now), pad) + "\n")
		}
		b.WriteString(s.Muted.Render(now) + wrap.Words(r.Actual, width-len(now), pad) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
