package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
)

type confirm int

const (
	confirmNone confirm = iota
	confirmSolution
	confirmReset
)

// lessonModel is the lesson screen: the step's text, the live goals, hints,
// the solution on request, and a status bar.
type lessonModel struct {
	session *engine.Session
	ctx     context.Context
	step    int
	text    viewport.Model
	results []check.Result
	passed  bool
	message string // the latest hint, fault or notice
	msgKind string // "hint", "fault", "error", "ok"
	confirm confirm
	busy    string
	nodes   nodesMsg
	now     time.Time
	width   int
	height  int
	back    bool
	quit    bool
	// the on-duty panel's readings, oldest first
	metrics    []metrics.Snapshot
	metricsErr string
}

func newLesson(root Model, s *engine.Session, step int) lessonModel {
	m := lessonModel{session: s, ctx: root.ctx, step: step, text: viewport.New(), now: time.Now()}
	m = m.resize(root.width, root.height)
	return m.loadText(root)
}

func (m lessonModel) close() {
	if m.session != nil {
		m.session.Close()
	}
}

// listen waits for the next engine event.
func (m lessonModel) listen() tea.Cmd {
	s := m.session
	if s == nil {
		return nil
	}
	return func() tea.Msg { return engineMsg(<-s.Events()) }
}

func (m lessonModel) sideBySide() bool { return m.width >= 110 }

func (m lessonModel) resize(w, h int) lessonModel {
	m.width, m.height = w, h
	textW, textH := w-4, h-4-m.goalsHeight()
	if m.sideBySide() {
		textW, textH = w*3/5-2, h-5
	}
	m.text.SetWidth(max(20, textW))
	m.text.SetHeight(max(3, textH))
	return m
}

// goalsHeight is how many rows the goals panel takes when stacked.
func (m lessonModel) goalsHeight() int {
	h := 3 + 3*max(1, len(m.results))
	if m.wantsMetrics() {
		h += 9
	}
	return min(max(4, m.height/2-2), h)
}

func (m lessonModel) loadText(root Model) lessonModel {
	if m.session == nil {
		return m
	}
	l := m.session.Lesson
	st := &l.Steps[m.step]
	md, err := l.StepText(root.lab.LessonsFS(), st)
	if err != nil {
		md = "(the step's text could not be read: " + err.Error() + ")"
	}
	m.text.SetContent(renderMarkdown(md, m.text.Width(), root.styles))
	m.text.GotoTop()
	return m
}

func renderMarkdown(md string, width int, s Styles) string {
	style := "dark"
	switch {
	case s.NoColor:
		style = "ascii"
	case !s.Dark:
		style = "light"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(max(20, width-2)))
	if err != nil {
		return md
	}
	out, err := r.Render(md)
	if err != nil {
		return md
	}
	return strings.Trim(out, "\n")
}

func (m lessonModel) update(root Model, msg tea.Msg) (lessonModel, tea.Cmd) {
	keys := root.keys
	switch msg := msg.(type) {
	case engineMsg:
		m = m.onEvent(engine.Event(msg))
		return m, m.listen()
	case stepStartedMsg:
		m.busy = ""
		if msg.err != nil {
			m.message, m.msgKind = msg.err.Error(), "error"
			return m, nil
		}
		m.step, m.results, m.passed, m.confirm = msg.step, nil, false, confirmNone
		m.metrics, m.metricsErr = nil, ""
		m = m.resize(m.width, m.height).loadText(root)
		return m, nil
	case shellDoneMsg:
		if msg.err != nil {
			m.message, m.msgKind = "The shell could not start: "+msg.err.Error(), "error"
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if m.confirm != confirmNone {
			return m.onConfirm(msg, keys)
		}
		return m.onKey(root, msg)
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	return m, cmd
}

func (m lessonModel) onEvent(e engine.Event) lessonModel {
	switch e.Kind {
	case engine.Results:
		if e.Step == m.step {
			m.results = e.Results
			m.passed = check.AllPass(e.Results)
			m = m.resize(m.width, m.height)
		}
	case engine.StepPassed:
		if e.Step == m.step {
			m.passed = true
			if m.step == len(m.session.Lesson.Steps)-1 {
				m.message, m.msgKind = "Lesson complete! Press esc for the lesson list.", "ok"
			} else {
				m.message, m.msgKind = "Step complete! Press n for the next step when you are ready.", "ok"
			}
		}
	case engine.FaultInjected:
		m.message, m.msgKind = "⚡ "+e.Message, "fault"
	case engine.Problem:
		m.message, m.msgKind = e.Message, "error"
	}
	return m
}

func (m lessonModel) onKey(root Model, k tea.KeyPressMsg) (lessonModel, tea.Cmd) {
	keys := root.keys
	steps := len(m.session.Lesson.Steps)
	switch {
	case key.Matches(k, keys.Quit):
		m.quit = true
	case key.Matches(k, keys.Back):
		m.back = true
	case key.Matches(k, keys.Next):
		if m.step+1 < steps {
			return m.startStep(m.step+1, "Starting the next step…")
		}
		m.message, m.msgKind = "This is the last step.", "hint"
	case key.Matches(k, keys.Prev):
		if m.step > 0 {
			return m.startStep(m.step-1, "Going back a step…")
		}
	case key.Matches(k, keys.Hint):
		if h, n, ok := m.session.NextHint(); ok {
			m.message, m.msgKind = fmt.Sprintf("Hint %d/%d: %s", n, len(m.session.Lesson.Steps[m.step].Hints), h.Text), "hint"
		} else {
			m.message, m.msgKind = "No more hints: press s to see the solution.", "hint"
		}
	case key.Matches(k, keys.Solution):
		m.confirm = confirmSolution
	case key.Matches(k, keys.Reset):
		m.confirm = confirmReset
	case key.Matches(k, keys.Shell):
		cmd, err := root.lab.Shell(m.session.Lesson)
		if err != nil {
			m.message, m.msgKind = err.Error(), "error"
			return m, nil
		}
		return m, tea.ExecProcess(cmd, func(err error) tea.Msg { return shellDoneMsg{err: err} })
	case key.Matches(k, keys.ScrollUp):
		m.text.PageUp()
	case key.Matches(k, keys.ScrollDn):
		m.text.PageDown()
	default:
		var cmd tea.Cmd
		m.text, cmd = m.text.Update(k)
		return m, cmd
	}
	return m, nil
}

func (m lessonModel) onConfirm(k tea.KeyPressMsg, keys KeyMap) (lessonModel, tea.Cmd) {
	c := m.confirm
	m.confirm = confirmNone
	if !key.Matches(k, keys.Yes) {
		return m, nil
	}
	switch c {
	case confirmSolution:
		sol := m.session.RevealSolution()
		var lines []string
		for _, cmd := range sol.Commands {
			lines = append(lines, "  $ "+cmd)
		}
		for _, f := range sol.Manifests {
			lines = append(lines, "  apply the manifest "+f+" (in the lesson folder)")
		}
		m.message, m.msgKind = "Solution:\n"+strings.Join(lines, "\n"), "hint"
	case confirmReset:
		m.busy = "Resetting the step…"
		s, ctx, step := m.session, m.ctx, m.step
		return m, func() tea.Msg { return stepStartedMsg{step: step, err: s.Reset(ctx)} }
	}
	return m, nil
}

func (m lessonModel) startStep(i int, busy string) (lessonModel, tea.Cmd) {
	m.busy, m.message = busy, ""
	s, ctx := m.session, m.ctx
	return m, func() tea.Msg { return stepStartedMsg{step: i, err: s.Start(ctx, i)} }
}

func (m lessonModel) view(root Model) string {
	s := root.styles
	if m.session == nil {
		return ""
	}
	l := m.session.Lesson
	st := l.Steps[m.step]
	header := s.Title.Render(l.Title) + s.Muted.Render(fmt.Sprintf("  ·  step %d/%d: ", m.step+1, len(l.Steps))) + s.Subtitle.Render(st.Title)

	goalsW := m.width - 2
	if m.sideBySide() {
		goalsW = m.width - m.text.Width() - 4
	}
	goals := m.goalsView(s, goalsW-4, st)
	if st.NeedsContainers && root.lab.Backend() == "embedded" {
		goals = s.Warn.Render(wrap("This step needs real containers. On the embedded cluster, read along and press n; run `kubelab up --backend kind` (needs Docker) to do it for real.", goalsW-4, "")) + "\n\n" + goals
	}
	if m.wantsMetrics() {
		goals += "\n\n" + m.panelView(s, goalsW-4)
	}
	var body string
	if m.sideBySide() {
		body = lipgloss.JoinHorizontal(lipgloss.Top, m.text.View(), " ", s.Panel.Width(goalsW).Render(goals))
	} else {
		body = lipgloss.JoinVertical(lipgloss.Left, m.text.View(), s.Panel.Width(goalsW).Render(goals))
	}
	footer := m.footer(root)
	content := lipgloss.JoinVertical(lipgloss.Left, header, body, footer)
	if m.confirm != confirmNone {
		q := "Show the solution? It counts in your progress. (y/n)"
		if m.confirm == confirmReset {
			q = "Reset this step? Everything in " + m.session.Namespace() + " is deleted and the step starts over. (y/n)"
		}
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, s.Dialog.Width(min(60, m.width-4)).Render(q))
	}
	return content
}

func (m lessonModel) goalsView(s Styles, w int, st lesson.Step) string {
	var b strings.Builder
	title := "Goals"
	if m.passed {
		title = "Goals · all pass ✓"
	}
	b.WriteString(s.PanelTitle.Render(title) + "\n")
	if m.results == nil {
		b.WriteString(s.Muted.Render("checking…"))
		return b.String()
	}
	for _, r := range m.results {
		if r.Pass {
			b.WriteString(s.Pass.Render("✓ ") + wrap(r.Title, w-2, "  ") + "\n")
			continue
		}
		b.WriteString(s.Fail.Render("✗ ") + wrap(r.Title, w-2, "  ") + "\n")
		b.WriteString(s.Muted.Render("  want: ") + wrap(r.Expected, w-8, "        ") + "\n")
		b.WriteString(s.Muted.Render("  now:  ") + wrap(r.Actual, w-8, "        ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (m lessonModel) footer(root Model) string {
	s := root.styles
	var lines []string
	if m.busy != "" {
		lines = append(lines, s.Warn.Render(m.busy))
	} else if m.message != "" {
		style := s.Text
		switch m.msgKind {
		case "ok":
			style = s.Success
		case "fault":
			style = s.Warn
		case "error":
			style = s.Error
		}
		lines = append(lines, style.Render(wrap(m.message, m.width-2, "")))
	}
	nodes := "nodes ?"
	if m.nodes.total > 0 {
		nodes = fmt.Sprintf("nodes %d/%d Ready", m.nodes.ready, m.nodes.total)
	}
	status := s.StatusBar.Render(fmt.Sprintf("%s · ns %s · %s", root.lab.Backend(), m.session.Namespace(), nodes))
	h := root.help
	h.SetWidth(max(10, m.width-lipgloss.Width(status)-2))
	lines = append(lines, status+"  "+h.View(root.keys))
	return strings.Join(lines, "\n")
}

// wrap breaks s into lines of at most w cells, indenting continuations.
func wrap(s string, w int, indent string) string {
	if w < 10 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && lipgloss.Width(line)+1+lipgloss.Width(word) > w {
				out = append(out, line)
				line = word
				continue
			}
			if line == "" {
				line = word
			} else {
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"+indent)
}
