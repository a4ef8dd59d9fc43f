package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/tui/components/confirm"
	"github.com/kubelab/kubelab/tui/components/goals"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

// lessonModel is the lesson screen: the step's text, the live goals, hints,
// the solution on request, and a status bar.
type lessonModel struct {
	c       *common
	session *engine.Session // nil while the lesson waits for the cluster
	les     *lesson.Lesson
	step    int
	text    viewport.Model
	results []check.Result
	passed  bool
	message string // the latest hint, fault or notice
	msgKind string // "hint", "fault", "error", "ok"
	dialog  confirm.Model
	busy    string
	nodes   nodesMsg
	now     time.Time
	// the step's text as shown, line by line, and what the copy key copies
	lines    []string
	widths   []int    // each line's width without its padding
	codeW    int      // the widest code line of the step's text
	commands []string // its commands, the hints' and a revealed solution's
	solution []string // the solution's commands, once revealed
	// the on-duty panel's readings, oldest first
	metrics    []metrics.Snapshot
	metricsErr string
}

func newLesson(c *common, s *engine.Session, step int) lessonModel {
	m := newPendingLesson(c, s.Lesson, step)
	return m.attach(s).loadText()
}

// attach gives the screen its session; results the checker sent before
// this screen listened are not lost.
func (m lessonModel) attach(s *engine.Session) lessonModel {
	m.session = s
	m.les = s.Lesson // the lesson with the cluster's facts filled in
	m.results = s.Results()
	m.passed = len(m.results) > 0 && check.AllPass(m.results)
	return m
}

// newPendingLesson is the lesson screen before its session can start: the
// step's text at once, the goals waiting for the cluster.
func newPendingLesson(c *common, l *lesson.Lesson, step int) lessonModel {
	m := lessonModel{c: c, les: l, step: step, text: viewport.New(), now: time.Now()}
	m.text.KeyMap = c.keys.Lesson.Text
	return m.resize().loadText()
}

func (m lessonModel) close() {
	if m.session != nil {
		m.session.Close()
	}
}

// listen waits for the next engine event; it ends when the session closes.
func (m lessonModel) listen() tea.Cmd {
	s := m.session
	if s == nil {
		return nil
	}
	return func() tea.Msg {
		e, ok := <-s.Events()
		if !ok {
			return nil
		}
		return engineMsg(e)
	}
}

func (m lessonModel) nodesCmd() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.ctx, 3*time.Second)
		defer cancel()
		r, t, err := c.lab.Nodes(ctx)
		if err != nil {
			return nodesMsg{}
		}
		return nodesMsg{ready: r, total: t}
	}
}

func (m lessonModel) sideBySide() bool { return m.c.width >= 110 }

func (m lessonModel) resize() lessonModel {
	if m.c == nil {
		return m
	}
	w, h := m.c.width, m.c.height
	textW, textH := w-4, h-4-m.goalsHeight()
	if m.sideBySide() {
		// widen the text, not wrap the code, while the goals keep 40 columns
		textW, textH = max(w*3/5-2, min(m.codeW, w-44)), h-5
	}
	was := m.text.Width()
	m.text.SetWidth(max(20, textW))
	m.text.SetHeight(max(3, textH))
	if was != m.text.Width() && len(m.lines) > 0 {
		// The text was wrapped for the old width (the goals panel moved
		// beside it once results came): wrap it again, keeping the place.
		y := m.text.YOffset()
		m = m.loadText()
		m.text.SetYOffset(y)
	}
	return m
}

// goalsHeight is how many rows the goals panel takes when stacked.
func (m lessonModel) goalsHeight() int {
	h := 3 + 3*max(1, len(m.results))
	if m.wantsMetrics() {
		h += 9
	}
	return min(max(4, m.c.height/2-2), h)
}

func (m lessonModel) loadText() lessonModel {
	if m.les == nil {
		return m
	}
	l := m.les
	st := &l.Steps[m.step]
	md, err := l.StepText(m.c.lab.LessonsFS(), st)
	if err != nil {
		md = "(the step's text could not be read: " + err.Error() + ")"
	}
	var shown []lesson.Hint
	if m.session != nil {
		shown = m.session.ShownHints()
	}
	m.codeW, m.commands = codeWidth(md), append(stepCommands(md, shown), m.solution...)
	m = m.resize() // the text column may widen to fit the step's code
	m.lines = strings.Split(renderStepText(md, shown, len(st.Hints), m.text.Width(), m.c.styles), "\n")
	m.widths = make([]int, len(m.lines))
	for i, l := range m.lines {
		m.widths[i] = ansi.StringWidth(strings.TrimRight(ansi.Strip(l), " "))
	}
	m.text.SetContentLines(m.lines)
	m.text.GotoTop()
	m.text.SetXOffset(0)
	return m
}

func (m lessonModel) update(msg tea.Msg) (lessonModel, tea.Cmd) {
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
		// The step's first results may have come before this message.
		m.step, m.results, m.dialog, m.solution = msg.step, m.session.Results(), confirm.Model{}, nil
		m.passed = len(m.results) > 0 && check.AllPass(m.results)
		m.metrics, m.metricsErr = nil, ""
		m = m.resize().loadText()
		return m, nil
	case shellDoneMsg:
		if msg.err != nil {
			m.message, m.msgKind = "The shell could not start: "+msg.err.Error(), "error"
		}
		return m, nil
	case nodesMsg:
		m.nodes = msg
		return m, nil
	case metricsMsg:
		return m.onMetrics(msg), nil
	case tickMsg:
		m.now = time.Time(msg)
		var cmds []tea.Cmd
		if !m.c.cluster.ready() {
			return m, nil
		}
		if m.now.Second()%5 == 0 {
			cmds = append(cmds, m.nodesCmd())
		}
		if m.wantsMetrics() {
			cmds = append(cmds, m.metricsCmd())
		}
		return m, tea.Batch(cmds...)
	case confirm.ChosenMsg:
		return m.onChosen(msg)
	case tea.KeyPressMsg:
		if m.busy != "" {
			return m, nil
		}
		if m.dialog.Open() {
			var cmd tea.Cmd
			m.dialog, cmd = m.dialog.Update(msg)
			return m, cmd
		}
		if key.Matches(msg, m.c.keys.Lesson.Copy) { // the text's commands need no cluster
			return m.copyCmd()
		}
		if m.session == nil || !m.c.cluster.ready() {
			return m.onKeyWaiting(msg)
		}
		return m.onKey(msg)
	}
	var cmd tea.Cmd
	m.text, cmd = m.text.Update(msg)
	return m, cmd
}

func (m lessonModel) onEvent(e engine.Event) lessonModel {
	switch e.Kind {
	case engine.EventResults:
		if e.Step == m.step {
			m.results = e.Results
			m.passed = check.AllPass(e.Results)
			m = m.resize()
		}
	case engine.EventStepPassed:
		if e.Step == m.step {
			m.passed = true
			if m.step == len(m.session.Lesson.Steps)-1 {
				m.message, m.msgKind = "Lesson complete! Press esc for the lesson list.", "ok"
			} else {
				m.message, m.msgKind = "Step complete! Press n for the next step when you are ready.", "ok"
			}
		}
	case engine.EventFaultInjected:
		m.message, m.msgKind = "⚡ "+e.Message, "fault"
		if m.quietStep(e.Step) { // a checkpoint whose goals keep their diagnosis: the banner must not give it away
			m.message = "⚡ Something in the namespace just broke."
		}
	case engine.EventProblem:
		m.message, m.msgKind = e.Message, "error"
	case engine.EventPreparing:
		if m.busy != "" {
			m.busy = e.Message
		} else {
			m.message, m.msgKind = e.Message, "hint"
		}
	}
	return m
}

func (m lessonModel) onKey(k tea.KeyPressMsg) (lessonModel, tea.Cmd) {
	keys := m.c.keys.Lesson
	steps := len(m.session.Lesson.Steps)
	switch {
	case key.Matches(k, keys.Quit):
		return m, report(quitMsg{})
	case key.Matches(k, keys.Back):
		m.close()
		return m, report(lessonClosedMsg{})
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
			m = m.loadText()
			m.text.GotoBottom() // the newest hint, under the text
		} else {
			m.message, m.msgKind = "No more hints: press s to see the solution.", "hint"
		}
	case key.Matches(k, keys.Solution):
		m.dialog = confirm.YesNo(askSolution, "Show the solution? It counts in your progress.", m.c.keys.Confirm)
	case key.Matches(k, keys.Reset):
		m.dialog = confirm.YesNo(askReset, "Reset this step? Everything in "+m.session.Namespace()+" is deleted and the step starts over.", m.c.keys.Confirm)
	case key.Matches(k, keys.Shell):
		cmd, err := m.c.lab.Shell(m.session.Lesson)
		if err != nil {
			m.message, m.msgKind = err.Error(), "error"
			return m, nil
		}
		return m, tea.ExecProcess(cmd, func(err error) tea.Msg { return shellDoneMsg{err: err} })
	default:
		var cmd tea.Cmd
		m.text, cmd = m.text.Update(k)
		return m, cmd
	}
	return m, nil
}

func (m lessonModel) onChosen(msg confirm.ChosenMsg) (lessonModel, tea.Cmd) {
	if msg.Option != confirm.Yes {
		return m, nil
	}
	switch msg.ID {
	case askSolution:
		sol := m.session.RevealSolution()
		m.solution = sol.Commands
		m.commands = append(m.commands, sol.Commands...)
		var lines []string
		for _, cmd := range sol.Commands {
			lines = append(lines, "  $ "+cmd)
		}
		for _, f := range sol.Manifests {
			lines = append(lines, "  apply the manifest "+f+" (in the lesson folder)")
		}
		m.message, m.msgKind = "Solution:\n"+strings.Join(lines, "\n"), "hint"
	case askReset:
		m.busy = "Resetting the step…"
		s, ctx, step := m.session, m.c.ctx, m.step
		return m, func() tea.Msg { return stepStartedMsg{step: step, err: s.Reset(ctx)} }
	}
	return m, nil
}

func (m lessonModel) startStep(i int, busy string) (lessonModel, tea.Cmd) {
	m.busy, m.message = busy, ""
	s, ctx := m.session, m.c.ctx
	return m, func() tea.Msg { return stepStartedMsg{step: i, err: s.Start(ctx, i)} }
}

func (m lessonModel) view() string {
	if m.les == nil {
		return ""
	}
	s, width, height := m.c.styles, m.c.width, m.c.height
	if m.dialog.Open() {
		return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, m.dialog.View(s.confirm(), min(60, width-4)))
	}
	l := m.les
	st := l.Steps[m.step]
	header := s.Title.Render(l.Title) + s.Muted.Render(fmt.Sprintf("  ·  step %d/%d: ", m.step+1, len(l.Steps))) + s.Subtitle.Render(st.Title)

	goalsW := width - 2
	if m.sideBySide() {
		goalsW = width - m.text.Width() - 4
	}
	title := "Goals"
	if m.passed {
		title = "Goals · all pass ✓"
	}
	results, waiting := m.results, "checking…"
	if w := m.c.goalsWaiting(); w != "" {
		results, waiting = nil, w // never stale results as if they were current
	}
	panel := goals.Model{Title: title, Results: results, Waiting: waiting, Want: true, Styles: s.goals()}.View(goalsW - 4)
	if m.wantsMetrics() {
		panel += "\n\n" + m.panelView(s, goalsW-4)
	}
	var body string
	if m.sideBySide() {
		body = lipgloss.JoinHorizontal(lipgloss.Top, m.textView(), " ", s.Panel.Width(goalsW).Render(panel))
	} else {
		body = lipgloss.JoinVertical(lipgloss.Left, m.textView(), s.Panel.Width(goalsW).Render(panel))
	}
	return lipgloss.JoinVertical(lipgloss.Left, header, body, m.footer())
}

func (m lessonModel) footer() string {
	s, width := m.c.styles, m.c.width
	var lines []string
	if sentence := m.c.clusterSentence(); sentence != "" && m.busy == "" {
		lines = append(lines, s.Error.Render(wrap.Words(sentence, width-2, "")))
	} else if m.busy != "" {
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
		lines = append(lines, style.Render(m.messageText(width-2)))
	}
	nodes := " · nodes ?"
	if m.nodes.total > 0 {
		nodes = fmt.Sprintf(" · %d/%d Ready", m.nodes.ready, m.nodes.total)
	}
	if !m.c.cluster.ready() {
		nodes = ""
	}
	ns := m.les.Namespace()
	if m.session != nil { // on a class cluster, the learner's namespace for the lesson
		ns = m.session.Namespace()
	}
	status := s.StatusBar.Render(fmt.Sprintf("%s %s · ns %s%s", m.c.lab.Backend(), m.c.clusterStatus(), ns, nodes))
	h := m.c.help
	h.SetWidth(max(10, width-lipgloss.Width(status)-2))
	lines = append(lines, status+"  "+h.View(m.c.keys.Lesson))
	return strings.Join(lines, "\n")
}

// quietStep reports whether every goal of step i is quiet (a checkpoint
// that lets the learner find what is wrong).
func (m lessonModel) quietStep(i int) bool {
	if m.les == nil {
		return false
	}
	steps := m.les.Steps
	if i < 0 || i >= len(steps) || len(steps[i].Goals) == 0 {
		return false
	}
	for _, g := range steps[i].Goals {
		if !g.Quiet {
			return false
		}
	}
	return true
}
