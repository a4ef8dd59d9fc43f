package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Yes and No are the options of a YesNo dialog.
const (
	Yes = 0
	No  = 1
)

// ChosenMsg reports the answer to the dialog with this ID: Option is the
// index of the chosen option.
type ChosenMsg struct{ ID, Option int }

// KeyMap is the keys of a yes/no question.
type KeyMap struct{ Yes, No key.Binding }

// DefaultKeyMap returns y for yes and n or esc for no.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Yes: key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:  key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
	}
}

// Styles draw the dialog.
type Styles struct {
	Dialog lipgloss.Style // the box
	Key    lipgloss.Style // an option's key
}

// Model is an open dialog; the zero Model is closed.
type Model struct {
	id       int
	question string
	options  []key.Binding
	other    int // the option any other key picks; -1: other keys do nothing
	open     bool
}

// New opens a dialog that asks question; a key picks the first option it
// matches, and other keys do nothing.
func New(id int, question string, options ...key.Binding) Model {
	return Model{id: id, question: question, options: options, other: -1, open: true}
}

// YesNo opens a yes/no question: Yes is option 0 and any key but yes says No.
func YesNo(id int, question string, keys KeyMap) Model {
	m := New(id, question, keys.Yes, keys.No)
	m.other = No
	return m
}

// Open reports whether the dialog waits for an answer.
func (m Model) Open() bool { return m.open }

// ID is the id the dialog was opened with.
func (m Model) ID() int { return m.id }

// Options are the dialog's keys, for a help view.
func (m Model) Options() []key.Binding { return m.options }

// Update closes the dialog on a key that picks an option and reports it.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.open {
		return m, nil
	}
	choice := m.other
	for i, o := range m.options {
		if key.Matches(k, o) {
			choice = i
			break
		}
	}
	if choice < 0 {
		return m, nil
	}
	m.open = false
	id := m.id
	return m, func() tea.Msg { return ChosenMsg{ID: id, Option: choice} }
}

// View draws the question with its options under it, in a box width cells
// wide (0: as wide as its text).
func (m Model) View(s Styles, width int) string {
	opts := make([]string, 0, len(m.options))
	for _, o := range m.options {
		h := o.Help()
		opts = append(opts, s.Key.Render(h.Key)+" "+h.Desc)
	}
	box := s.Dialog
	if width > 0 {
		box = box.Width(width)
	}
	return box.Render(m.question + "\n\n" + strings.Join(opts, "   "))
}
