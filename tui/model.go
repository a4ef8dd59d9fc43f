package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

type state int

const (
	stateStartup state = iota
	stateHome
	stateLesson
)

func (s state) String() string {
	return [...]string{"startup", "home", "lesson"}[s]
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
	showAll bool // the help overlay
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

// Init starts the cluster and the clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(m.startup.spinner.Tick, m.upCmd(), tick())
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
	case tickMsg:
		m.startup.now = time.Time(msg)
		m.lesson.now = time.Time(msg)
		cmds := []tea.Cmd{tick()}
		if m.state == stateLesson && time.Time(msg).Second()%5 == 0 {
			cmds = append(cmds, m.nodesCmd())
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
	default:
		body = m.lesson.view(m)
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "kubelab"
	return v
}

// Run shows the TUI until the learner quits.
func Run(ctx context.Context, lab Lab, styles Styles, opts ...tea.ProgramOption) error {
	p := tea.NewProgram(New(ctx, lab, styles), append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
	program = p
	defer func() { program = nil }()
	_, err := p.Run()
	return err
}
