package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/kubelab/kubelab/lab/quiz"
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
type Model struct {
	ctx    context.Context
	lab    Lab
	styles Styles
	keys   KeyMap
	help   help.Model
	state  state
	width  int
	height int

	startup startupModel
	home    homeModel
	lesson  lessonModel
	quiz    quizModel
	quizCfg *QuizConfig // set by `kubelab quiz`: the TUI is only the quiz
	showAll bool        // the help overlay
}

// New returns the root model.
func New(ctx context.Context, lab Lab, styles Styles) Model {
	h := help.New()
	if !styles.Dark {
		h.Styles = help.DefaultLightStyles()
	}
	m := Model{ctx: ctx, lab: lab, styles: styles, keys: DefaultKeyMap(), help: h, width: 80, height: 24}
	m.startup = newStartup(styles)
	return m
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
	if m.needsCluster(cfg.Options) {
		return m
	}
	return m.startQuiz(cfg)
}

// startQuiz resumes an unfinished quiz (after asking) or starts a new one.
func (m Model) startQuiz(cfg QuizConfig) Model {
	now := time.Now()
	m.state = stateQuiz
	fresh := func() (*quiz.Attempt, error) {
		qs, err := quiz.Select(quiz.Bank(m.lab.Lessons()), cfg.Options)
		if err != nil {
			return nil, err
		}
		a := quiz.NewAttempt(qs, cfg.Options, time.Now())
		return a, cfg.Store.Save(a)
	}
	resume, err := cfg.Store.Current()
	m.quiz = newQuiz(m.lab, cfg.Store, nil, resume, now)
	m.quiz.fresh = fresh
	if resume != nil {
		return m
	}
	if err != nil {
		m.quiz.message = err.Error()
	}
	a, err := fresh()
	if err != nil {
		m.quiz.message, m.quiz.attempt, m.quiz.result = "No quiz: "+err.Error(), &quiz.Attempt{}, &quiz.Result{}
		return m
	}
	m.quiz.attempt = a
	return m
}

// quizCmd starts the first question's hands-on task, if it is one.
func (m Model) quizCmd() tea.Cmd { return m.quiz.ensureTask(m.ctx) }

// needsCluster reports whether a quiz with these options has hands-on tasks.
func (m Model) needsCluster(o quiz.Options) bool {
	qs, _ := quiz.Select(quiz.Bank(m.lab.Lessons()), o)
	for _, q := range qs {
		if q.IsTask() {
			return true
		}
	}
	return false
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// program is set by Run so that slow work can report progress with Send.
var program *tea.Program

func (m Model) upCmd() tea.Cmd {
	return func() tea.Msg {
		err := m.lab.Up(m.ctx, func(title string, elapsed time.Duration) {
			if program != nil {
				program.Send(phaseMsg{title: title, elapsed: elapsed})
			}
		})
		return upDoneMsg{err: err}
	}
}

// Update handles global keys and sizes, then hands the message to the active screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.lesson = m.lesson.resize(m.width, m.height)
		if m.state == stateLesson {
			m.lesson = m.lesson.loadText(m) // re-wrap the Markdown to the new width
		}
		return m, nil
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			return m, m.quit()
		}
		if m.showAll {
			m.showAll = false // any key closes the help overlay
			return m, nil
		}
		if key.Matches(msg, m.keys.Help) && m.state != stateStartup {
			m.showAll = true
			return m, nil
		}
	case upDoneMsg:
		if msg.err != nil {
			m.startup.err = msg.err
			return m, nil
		}
		if m.quizCfg != nil {
			m = m.startQuiz(*m.quizCfg)
			return m, m.quizCmd()
		}
		m.state = stateHome
		m.home = newHome(m.lab.Lessons(), m.lab.Progress())
		return m, nil
	case sessionMsg:
		if msg.err != nil {
			m.home.err = msg.err
			m.state = stateHome
			return m, nil
		}
		m.state = stateLesson
		m.lesson = newLesson(m, msg.session, msg.step)
		return m, tea.Batch(m.lesson.listen(), m.nodesCmd())
	case nodesMsg:
		m.lesson.nodes = msg
		return m, nil
	case metricsMsg:
		m.lesson = m.lesson.onMetrics(msg)
		return m, nil
	case tickMsg:
		m.startup.now = time.Time(msg)
		m.lesson.now = time.Time(msg)
		if m.state == stateQuiz {
			m.quiz, _ = m.quiz.update(m, msg)
			return m, tick()
		}
		cmds := []tea.Cmd{tick()}
		if m.state == stateLesson && time.Time(msg).Second()%5 == 0 {
			cmds = append(cmds, m.nodesCmd())
		}
		if m.state == stateLesson && m.lesson.wantsMetrics() {
			cmds = append(cmds, m.metricsCmd())
		}
		return m, tea.Batch(cmds...)
	}

	var cmd tea.Cmd
	switch m.state {
	case stateStartup:
		m.startup, cmd = m.startup.update(msg, m.keys)
		if m.startup.quit {
			return m, m.quit()
		}
	case stateHome:
		var open *openLesson
		m.home, open, cmd = m.home.update(msg, m.keys)
		if m.home.quit {
			return m, m.quit()
		}
		if open != nil {
			return m, m.openCmd(open)
		}
		if m.home.quiz {
			m.home.quiz = false
			m = m.startQuiz(QuizConfig{Options: quiz.Options{Count: 10, Seed: uint64(time.Now().UnixNano()), Time: 15 * time.Minute}, Store: m.lab.QuizStore()})
			return m, m.quizCmd()
		}
	case stateLesson:
		m.lesson, cmd = m.lesson.update(m, msg)
		if m.lesson.back {
			m.lesson.close()
			m.state = stateHome
			m.home = newHome(m.lab.Lessons(), m.lab.Progress())
		}
		if m.lesson.quit {
			return m, m.quit()
		}
	case stateQuiz:
		m.quiz, cmd = m.quiz.update(m, msg)
		if m.quiz.done {
			m.quiz.closeTasks()
			if m.quizCfg != nil {
				return m, tea.Quit
			}
			m.state = stateHome
			m.home = newHome(m.lab.Lessons(), m.lab.Progress())
		}
	}
	return m, cmd
}

func (m Model) quit() tea.Cmd {
	m.lesson.close()
	return tea.Quit
}

func (m Model) openCmd(o *openLesson) tea.Cmd {
	return func() tea.Msg {
		s, err := m.lab.Open(o.lesson)
		if err != nil {
			return sessionMsg{err: err}
		}
		if err := s.Start(m.ctx, o.step); err != nil {
			return sessionMsg{err: err}
		}
		return sessionMsg{session: s, step: o.step}
	}
}

func (m Model) nodesCmd() tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(m.ctx, 3*time.Second)
		defer cancel()
		r, t, err := m.lab.Nodes(ctx)
		if err != nil {
			return nodesMsg{}
		}
		return nodesMsg{ready: r, total: t}
	}
}

// View draws the active screen, or the help overlay.
func (m Model) View() tea.View {
	var body string
	switch {
	case m.showAll:
		h := m.help
		h.ShowAll = true
		body = lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center,
			m.styles.Dialog.Render(m.styles.Title.Render("Keys")+"\n\n"+h.View(m.keys)+"\n\n"+m.styles.Muted.Render("press any key to close")))
	case m.state == stateStartup:
		body = m.startup.view(m.width, m.height)
	case m.state == stateHome:
		body = m.home.view(m.styles, m.width, m.height)
	case m.state == stateQuiz:
		body = m.quiz.view(m.styles, m.width, m.height)
	default:
		body = m.lesson.view(m)
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
	program = p
	defer func() { program = nil }()
	_, err := p.Run()
	return err
}
