package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key binding; it implements help.KeyMap.
type KeyMap struct {
	Up, Down, Open, Back        key.Binding
	Next, Prev, Hint, Solution  key.Binding
	Reset, Shell, Help, Quit    key.Binding
	Yes, No, ScrollUp, ScrollDn key.Binding
}

// DefaultKeyMap returns kubelab's keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		Open:     b("enter", "open", "enter"),
		Back:     b("esc", "lessons", "esc"),
		Next:     b("n", "next step", "n"),
		Prev:     b("p", "previous step", "p"),
		Hint:     b("h", "hint", "h"),
		Solution: b("s", "solution", "s"),
		Reset:    b("r", "reset step", "r"),
		Shell:    b("x", "shell", "x"),
		Help:     b("?", "help", "?"),
		Quit:     b("q", "quit", "q", "ctrl+c"),
		Yes:      b("y", "yes", "y", "Y"),
		No:       b("n/esc", "no", "n", "N", "esc"),
		ScrollUp: b("pgup", "scroll up", "pgup", "shift+up"),
		ScrollDn: b("pgdn", "scroll down", "pgdown", "shift+down", "space"),
	}
}

// ShortHelp is the one-line help of the lesson screen.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Shell, k.Hint, k.Next, k.Prev, k.Help, k.Quit}
}

// FullHelp is the help overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Shell, k.Hint, k.Solution, k.Reset},
		{k.Next, k.Prev, k.ScrollUp, k.ScrollDn},
		{k.Up, k.Down, k.Open, k.Back},
		{k.Help, k.Quit},
	}
}
