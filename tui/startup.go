package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// startupModel is the start-up screen: the cluster's phases as it comes up,
// or why it could not.
type startupModel struct {
	c       *common
	spinner spinner.Model
	phases  []phaseMsg
	started time.Time
	now     time.Time
	err     error
}

func newStartup(c *common) startupModel {
	now := time.Now()
	return startupModel{c: c, spinner: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.styles.Subtitle)), started: now, now: now}
}

func (m startupModel) update(msg tea.Msg) (startupModel, tea.Cmd) {
	switch msg := msg.(type) {
	case phaseMsg:
		if n := len(m.phases); n > 0 && sameStep(m.phases[n-1].title, msg.title) {
			m.phases[n-1] = msg // how far it is: a download's bytes
			break
		}
		m.phases = append(m.phases, msg)
	case tickMsg:
		m.now = time.Time(msg)
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if key.Matches(msg, m.c.keys.Startup) {
			return m, report(quitMsg{})
		}
	}
	return m, nil
}

func (m startupModel) view() string {
	s, width := m.c.styles, m.c.width
	var b strings.Builder
	b.WriteString(s.Title.Render("kubelab") + s.Muted.Render("  ·  starting your lab cluster") + "\n\n")
	for i, p := range m.phases {
		mark := s.Pass.Render("✓")
		if i == len(m.phases)-1 && m.err == nil {
			mark = m.spinner.View()
		}
		fmt.Fprintf(&b, " %s %-50s %s\n", mark, p.title, s.Muted.Render(fmt.Sprintf("%4.1fs", p.elapsed.Seconds())))
	}
	if len(m.phases) == 0 && m.err == nil {
		fmt.Fprintf(&b, " %s %s\n", m.spinner.View(), "Looking for the lab cluster")
	}
	elapsed := m.now.Sub(m.started)
	if elapsed < 0 {
		elapsed = 0
	}
	b.WriteString("\n" + s.Muted.Render(fmt.Sprintf("elapsed %s", elapsed.Round(time.Second))) + "\n")
	if m.err != nil {
		b.WriteString("\n" + s.Error.Render("The lab cluster could not start.") + "\n" + s.Text.Width(max(20, width-6)).Render(m.err.Error()) + "\n\n" + s.Muted.Render("press q to quit"))
	}
	return s.Page.Render(b.String())
}

// progressSeparator is cluster.ProgressSeparator (the TUI does not import
// lab/cluster; a test holds the two equal).
const progressSeparator = " · "

// sameStep says whether title b reports how far the phase titled a is.
func sameStep(a, b string) bool {
	head, _, found := strings.Cut(b, progressSeparator)
	before, _, _ := strings.Cut(a, progressSeparator)
	return found && head == before
}
