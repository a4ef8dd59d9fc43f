package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/tui/components/confirm"
)

type state int

const (
	stateStartup state = iota
	stateHome
	stateLesson
	stateQuiz
)

func (s state) String() string {
	return [...]string{"startup", "home", "lesson", "quiz"}[s]
}

// Model is the root of the TUI: global keys first, then the active screen.
// The screens share one common and report to the root with messages.
type Model struct {
	c     *common
	state state

	startup startupModel
	home    homeModel
	lesson  lessonModel
	quiz    quizModel
	quizCfg *QuizConfig // set by `kubelab quiz`: the TUI is only the quiz
	showAll bool        // the help overlay

	probing    bool          // a health probe is under way
	probeGen   int           // recover bumps it: older probes' answers are stale
	unanswered int           // probes of a running cluster in a row that went unanswered
	probedAt   time.Time     // when the last probe began
	recovering bool          // the cluster key's Up is under way
	ask        confirm.Model // whether to recreate a cluster that cannot come back
}

// New returns the root model: the lesson list at once, the cluster coming
// up behind it.
func New(ctx context.Context, lab Lab, styles Styles) Model {
	c := newCommon(ctx, lab, styles)
	return Model{c: c, state: stateHome, home: newHome(c), startup: newStartup(c)}
}

// Init starts the cluster and the clock (a quiz needs no cluster).
func (m Model) Init() tea.Cmd {
	if m.state == stateQuiz {
		return tea.Batch(tick(), m.quizCmd())
	}
	return tea.Batch(m.startup.spinner.Tick, m.upCmd(), tick())
}

// WithQuiz makes the model open straight into a quiz; one with hands-on
// tasks first brings the cluster up.
func (m Model) WithQuiz(cfg QuizConfig) Model {
	m.quizCfg = &cfg
	if needsCluster(m.c.lab, cfg.Options) {
		m.state = stateStartup // its first task needs the cluster
		return m
	}
	return m.startQuiz(cfg)
}

func (m Model) startQuiz(cfg QuizConfig) Model {
	m.state = stateQuiz
	m.quiz = startQuiz(m.c, cfg, time.Now())
	return m
}

// quizCmd starts the first question's hands-on task, if it is one.
func (m Model) quizCmd() tea.Cmd { return m.quiz.ensureTask() }

func (m Model) upCmd() tea.Cmd { return m.c.upCmd() }

// Update handles global keys and sizes, then hands the message to the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c := m.c
	next, cmd, done := m.onCluster(msg)
	if done {
		return next, cmd
	}
	m = next
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.width, c.height = msg.Width, msg.Height
		c.help.SetWidth(msg.Width)
		m.lesson = m.lesson.resize()
		if m.state == stateLesson {
			m.lesson = m.lesson.loadText() // re-wrap the Markdown to the new width
		}
		return m, nil
	case tea.KeyPressMsg:
		if key.Matches(msg, c.keys.ForceQuit) {
			return m, m.quit()
		}
		if m.showAll {
			m.showAll = false // any key closes the help overlay
			return m, nil
		}
		if key.Matches(msg, c.keys.Help) && m.state != stateStartup {
			m.showAll = true
			return m, nil
		}
	case quitMsg:
		return m, m.quit()
	case phaseMsg:
		c.cluster.phase = msg.title
	case upDoneMsg:
		m.recovering = false
		if msg.err != nil {
			c.setCluster(cluster.Stopped, "")
			c.cluster.err, m.startup.err = msg.err, msg.err
			return m, nil
		}
		c.setCluster(cluster.Running, "")
		return m.onUp()
	case pendingMsg:
		m.state, m.home.err = stateLesson, nil
		m.lesson = newPendingLesson(c, msg.lesson, msg.step)
		return m, nil
	case sessionMsg:
		if msg.err != nil {
			m.lesson.close()
			m.state, m.home.err = stateHome, msg.err
			return m, nil
		}
		if m.state == stateLesson && m.lesson.session == nil && m.lesson.les.ID == msg.session.Lesson.ID {
			// The pending lesson: its text stays where the learner scrolled,
			// on the step they read on to meanwhile, now with the cluster's
			// facts filled in.
			off := m.lesson.text.YOffset()
			m.lesson = m.lesson.attach(msg.session).loadText()
			m.lesson.text.SetYOffset(off)
			if m.lesson.step != msg.step {
				var start tea.Cmd
				shown := m.lesson.step
				m.lesson.step = msg.step
				m.lesson, start = m.lesson.startStep(shown, "Starting the step shown…")
				return m, tea.Batch(m.lesson.listen(), start)
			}
		} else {
			m.state = stateLesson
			m.lesson = newLesson(c, msg.session, msg.step)
		}
		if msg.unavailable != "" {
			m.lesson.message, m.lesson.msgKind = msg.unavailable, "error"
		}
		return m, tea.Batch(m.lesson.listen(), m.lesson.nodesCmd())
	case lessonClosedMsg:
		m.state, m.home = stateHome, newHome(c)
		return m, nil
	case startQuizMsg:
		m = m.startQuiz(QuizConfig{Options: quiz.Options{Count: quiz.DefaultCount, Seed: uint64(time.Now().UnixNano()), Time: quiz.DefaultTime}, Store: c.lab.QuizStore()})
		return m, m.quizCmd()
	case quizDoneMsg:
		if m.quizCfg != nil {
			return m, tea.Quit
		}
		m.state, m.home = stateHome, newHome(c)
		return m, nil
	case tickMsg:
		var cmd, probe tea.Cmd
		m, probe = m.probe()
		m, cmd = m.delegate(msg)
		return m, tea.Batch(tick(), cmd, probe)
	}
	return m.delegate(msg)
}

// delegate hands msg to the active screen.
func (m Model) delegate(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.state {
	case stateStartup:
		m.startup, cmd = m.startup.update(msg)
	case stateHome:
		m.home, cmd = m.home.update(msg)
	case stateLesson:
		m.lesson, cmd = m.lesson.update(msg)
	case stateQuiz:
		m.quiz, cmd = m.quiz.update(msg)
	}
	return m, cmd
}

func (m Model) quit() tea.Cmd {
	m.lesson.close()
	return tea.Quit
}

// keyMap is the keys of the screen shown, for the help overlay.
func (m Model) keyMap() help.KeyMap {
	switch m.state {
	case stateLesson:
		return m.c.keys.Lesson
	case stateQuiz:
		return m.quiz.keyMap()
	default:
		return m.c.keys.Home
	}
}

// View draws the active screen, or the help overlay.
func (m Model) View() tea.View {
	c := m.c
	var body string
	switch {
	case m.ask.Open():
		body = lipgloss.Place(c.width, c.height, lipgloss.Center, lipgloss.Center, m.ask.View(c.styles.confirm(), min(60, c.width-4)))
	case m.showAll:
		h := c.help
		h.ShowAll = true
		body = lipgloss.Place(c.width, c.height, lipgloss.Center, lipgloss.Center,
			c.styles.Dialog.Render(c.styles.Title.Render("Keys")+"\n\n"+h.View(m.keyMap())+"\n\n"+c.styles.Muted.Render("press any key to close")))
	case m.state == stateStartup:
		body = m.startup.view()
	case m.state == stateHome:
		body = m.home.view()
	case m.state == stateQuiz:
		body = m.quiz.view()
	default:
		body = m.lesson.view()
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kubelab"
	return v
}

// Run shows the TUI until the learner quits; with a quiz, only that quiz.
func Run(ctx context.Context, lab Lab, styles Styles, q *QuizConfig, opts ...tea.ProgramOption) error {
	m := New(ctx, lab, styles)
	if q != nil {
		m = m.WithQuiz(*q)
	}
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
	m.c.send = p.Send // set before the program runs, read only after
	_, err := p.Run()
	return err
}
