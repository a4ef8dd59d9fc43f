package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// homeModel lists the lessons grouped by their first concept, with progress.
type homeModel struct {
	c       *common
	lessons []*lesson.Lesson
	prog    progress.File
	cursor  int
	err     error
}

func newHome(c *common) homeModel {
	m := homeModel{c: c, lessons: c.lab.Lessons(), prog: c.lab.Progress()}
	for i, l := range m.lessons { // resume where the learner left off
		if l.ID == m.prog.Last {
			m.cursor = i
		}
	}
	return m
}

func (m homeModel) update(msg tea.Msg) (homeModel, tea.Cmd) {
	keys := m.c.keys.Home
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if key.Matches(k, keys.Quit) {
		return m, report(quitMsg{})
	}
	if len(m.lessons) == 0 {
		return m, nil
	}
	switch {
	case key.Matches(k, keys.Quiz):
		return m, report(startQuizMsg{})
	case key.Matches(k, keys.Up):
		m.cursor = (m.cursor + len(m.lessons) - 1) % len(m.lessons)
	case key.Matches(k, keys.Down):
		m.cursor = (m.cursor + 1) % len(m.lessons)
	case key.Matches(k, keys.Open):
		l := m.lessons[m.cursor]
		m.err = nil
		return m, m.c.openCmd(l, m.resumeStep(l))
	}
	return m, nil
}

// resumeStep is the learner's current step of l, or the first unfinished one.
func (m homeModel) resumeStep(l *lesson.Lesson) int {
	lp := m.prog.Lessons[l.ID]
	if lp == nil {
		return 0
	}
	if i, _, ok := l.Step(lp.Current); ok {
		return i
	}
	return 0
}

func (m homeModel) done(l *lesson.Lesson) int {
	n := 0
	if lp := m.prog.Lessons[l.ID]; lp != nil {
		for _, s := range l.Steps {
			if st := lp.Steps[s.ID]; st != nil && !st.Finished.IsZero() {
				n++
			}
		}
	}
	return n
}

func (m homeModel) view() string {
	s, width, height := m.c.styles, m.c.width, m.c.height
	var b strings.Builder
	b.WriteString(s.Title.Render("kubelab") + s.Muted.Render("  ·  learn Kubernetes on a real cluster") + "\n\n")
	if len(m.lessons) == 0 {
		b.WriteString("No lessons found.\n")
	}
	// The list: a concept heading before each group, the summary under the
	// chosen lesson; scrolled so that the chosen lesson stays in view.
	titleW := 24
	for _, l := range m.lessons {
		titleW = max(titleW, len([]rune(l.Title)))
	}
	titleW = min(titleW, max(20, width-30))
	var lines []string
	cursorLine := 0
	group := ""
	for i, l := range m.lessons {
		concept := "general"
		if len(l.Concepts) > 0 {
			concept = l.Concepts[0]
		}
		if concept != group {
			group = concept
			lines = append(lines, s.Concept.Render(strings.ToUpper(concept)))
		}
		done := m.done(l)
		mark := s.Muted.Render("○")
		switch {
		case done == len(l.Steps):
			mark = s.Pass.Render("●")
		case done > 0:
			mark = s.Warn.Render("◐")
		}
		title := fmt.Sprintf("%s %-*s %s", mark, titleW, truncate(l.Title, titleW), s.Muted.Render(fmt.Sprintf("%d/%d steps · %d min", done, len(l.Steps), l.Minutes)))
		if i == m.cursor {
			cursorLine = len(lines)
			lines = append(lines, s.Selected.Render("▸ ")+title, "    "+s.Muted.Render(truncate(l.Summary, width-6)))
		} else {
			lines = append(lines, "  "+title)
		}
	}
	room := len(lines)
	if height > 0 {
		room = max(3, height-8)
	}
	if len(lines) > room {
		from := max(0, min(cursorLine-room/2, len(lines)-room))
		more := len(lines) - from - room
		lines = lines[from : from+room]
		if from > 0 {
			lines[0] = s.Muted.Render("  ↑ more above")
		}
		if more > 0 {
			lines[len(lines)-1] = s.Muted.Render("  ↓ more below")
		}
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	if m.err != nil {
		b.WriteString("\n" + s.Error.Render(truncate(m.err.Error(), width-4)) + "\n")
	}
	b.WriteString("\n" + m.clusterView())
	b.WriteString("\n" + s.Muted.Render("↑/↓ choose · enter open (resumes where you left off) · z quiz · ? keys · q quit"))
	return s.Page.Render(b.String())
}

func truncate(s string, n int) string {
	if n < 4 || len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
