package tui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"

	"github.com/kubelab/kubelab/tui/components/confirm"
)

// KeyMap is every key of the TUI: a few that work everywhere, then one set
// per screen. Each set implements help.KeyMap, so ? lists exactly the keys
// of the screen shown.
type KeyMap struct {
	Help, ForceQuit key.Binding // on every screen
	Startup         key.Binding // quit while the cluster starts
	Cluster         key.Binding // bring the lab cluster back (home and lesson)
	Home            HomeKeys
	Lesson          LessonKeys
	Quiz            QuizKeys
	Confirm         confirm.KeyMap
}

// HomeKeys are the lesson list's keys.
type HomeKeys struct {
	Up, Down, Open, Quiz, Cluster, Help, Quit key.Binding
}

// LessonKeys are the lesson screen's keys; Text scrolls the step's text.
type LessonKeys struct {
	Shell, Hint, Solution, Reset key.Binding
	Copy                         key.Binding // the step's commands, through OSC 52
	Next, Prev, Back, Cluster    key.Binding
	Help, Quit                   key.Binding
	Text                         viewport.KeyMap
}

// QuizKeys are the quiz's keys. The quiz enables those of what it shows: a
// question, a hands-on task, the offer to resume, or the results.
type QuizKeys struct {
	Up, Down, Choose, Pick      key.Binding // a question's options
	Prev, Next, Flag, Submit    key.Binding
	Shell, Leave, Help, Quit    key.Binding // Quit: ctrl+c, which the root handles
	Resume, Abandon, Back, Done key.Binding
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeyMap returns kubelab's keys.
func DefaultKeyMap() KeyMap {
	help, quit, forceQuit := bind("?", "help", "?"), bind("q", "quit", "q"), bind("ctrl+c", "quit", "ctrl+c")
	clusterKey := bind("c", "bring the cluster back", "c")
	text := viewport.DefaultKeyMap()
	text.Up, text.Down = bind("↑/k", "scroll up", "up", "k"), bind("↓/j", "scroll down", "down", "j")
	text.PageUp = bind("pgup", "page up", "pgup", "shift+up", "b")
	text.PageDown = bind("pgdn", "page down", "pgdown", "shift+down", "space", "f")
	text.HalfPageUp, text.HalfPageDown = bind("u", "½ page up", "u", "ctrl+u"), bind("d", "½ page down", "d", "ctrl+d")
	// Prose wraps to the screen; a code line wider than it scrolls sideways.
	text.Left, text.Right = bind("←", "scroll left", "left"), bind("→", "scroll right", "right")
	return KeyMap{
		Help:      help,
		ForceQuit: forceQuit,
		Startup:   quit,
		Cluster:   clusterKey,
		Home: HomeKeys{
			Up:      bind("↑/k", "up", "up", "k"),
			Down:    bind("↓/j", "down", "down", "j"),
			Open:    bind("enter", "open (resumes)", "enter"),
			Quiz:    bind("z", "quiz", "z"),
			Cluster: clusterKey,
			Help:    help, Quit: quit,
		},
		Lesson: LessonKeys{
			Shell:    bind("x", "shell", "x"),
			Hint:     bind("h", "hint", "h"),
			Solution: bind("s", "solution", "s"),
			Reset:    bind("r", "reset step", "r"),
			Copy:     bind("y", "copy commands", "y"),
			Next:     bind("n", "next step", "n"),
			Prev:     bind("p", "previous step", "p"),
			Back:     bind("esc", "lessons", "esc"),
			Cluster:  clusterKey,
			Help:     help, Quit: quit,
			Text: text,
		},
		Quiz: QuizKeys{
			Up:     bind("↑/k", "option up", "up", "k"),
			Down:   bind("↓/j", "option down", "down", "j"),
			Choose: bind("space", "choose", "space", "enter"),
			Pick:   bind("1-9", "choose N", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
			Prev:   bind("←/p", "previous question", "left", "h", "p", "shift+tab"),
			Next:   bind("→/n", "next question", "right", "l", "n", "tab"),
			Flag:   bind("f", "flag for review", "f"),
			Submit: bind("S", "submit", "S"),
			Shell:  bind("x", "shell", "x"),
			Leave:  bind("q/esc", "save and leave", "q", "esc"),
			Help:   help, Quit: forceQuit,
			Resume:  bind("r", "resume", "r"),
			Abandon: bind("a", "abandon it and start a new one", "a"),
			Back:    bind("q", "back", "q", "esc"),
			Done:    bind("enter/esc", "back", "enter", "esc", "q"),
		},
		Confirm: confirm.DefaultKeyMap(),
	}
}

// ShortHelp is the lesson list's one-line help.
func (k HomeKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Quiz, k.Help, k.Quit}
}

// FullHelp is the lesson list's help overlay.
func (k HomeKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open}, {k.Quiz, k.Cluster, k.Help, k.Quit}}
}

// ShortHelp is the lesson screen's status-bar help.
func (k LessonKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Shell, k.Hint, k.Next, k.Prev, k.Help, k.Quit}
}

// FullHelp is the lesson screen's help overlay.
func (k LessonKeys) FullHelp() [][]key.Binding {
	t := k.Text
	return [][]key.Binding{
		{k.Shell, k.Hint, k.Solution, k.Reset, k.Copy},
		{k.Next, k.Prev, k.Back, k.Cluster, k.Help, k.Quit},
		{t.Up, t.Down, t.HalfPageUp, t.HalfPageDown, t.PageUp, t.PageDown, t.Left, t.Right},
	}
}

// ShortHelp is the quiz's one-line help.
func (k QuizKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Resume, k.Abandon, k.Back, k.Up, k.Down, k.Choose, k.Pick, k.Prev, k.Next, k.Shell, k.Flag, k.Submit, k.Leave, k.Done}
}

// FullHelp is the quiz's help overlay.
func (k QuizKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Choose, k.Pick},
		{k.Prev, k.Next, k.Flag, k.Submit},
		{k.Shell, k.Leave, k.Resume, k.Abandon, k.Back, k.Done, k.Help, k.Quit},
	}
}
