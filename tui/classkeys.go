package tui

import "charm.land/bubbles/v2/key"

// ClassKeys are the instructor's class grid keys.
type ClassKeys struct {
	Up, Down, Open, Back, Sort, Help, Quit key.Binding
}

// DefaultClassKeys returns the class grid's keys.
func DefaultClassKeys() ClassKeys {
	return ClassKeys{
		Up:   bind("↑/k", "up", "up", "k"),
		Down: bind("↓/j", "down", "down", "j"),
		Open: bind("enter", "learner's goals", "enter"),
		Back: bind("esc", "back to the room", "esc"),
		Sort: bind("s", "sort", "s"),
		Help: bind("?", "help", "?"),
		Quit: bind("q", "quit", "q", "ctrl+c"),
	}
}

// ShortHelp is the grid's one-line help.
func (k ClassKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Sort, k.Help, k.Quit}
}

// FullHelp is the grid's keys for ?.
func (k ClassKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.Back}, {k.Sort, k.Help, k.Quit}}
}
