package confirm

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func press(m Model, k string) (Model, tea.Msg) {
	var msg tea.KeyPressMsg
	if k == "esc" {
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	} else {
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	m, cmd := m.Update(msg)
	if cmd == nil {
		return m, nil
	}
	return m, cmd()
}

func TestAKeyPicksItsOption(t *testing.T) {
	t.Parallel()
	resume, abandon := key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume")), key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "abandon"))
	for _, c := range []struct {
		name   string
		dialog Model
		key    string
		want   any // a ChosenMsg, or nil when the dialog stays open
	}{
		{"yes", YesNo(7, "Sure?", DefaultKeyMap()), "y", ChosenMsg{ID: 7, Option: Yes}},
		{"no", YesNo(7, "Sure?", DefaultKeyMap()), "n", ChosenMsg{ID: 7, Option: No}},
		{"esc says no", YesNo(7, "Sure?", DefaultKeyMap()), "esc", ChosenMsg{ID: 7, Option: No}},
		{"any other key says no", YesNo(7, "Sure?", DefaultKeyMap()), "x", ChosenMsg{ID: 7, Option: No}},
		{"second option", New(3, "Resume?", resume, abandon), "a", ChosenMsg{ID: 3, Option: 1}},
		{"other keys do nothing", New(3, "Resume?", resume, abandon), "x", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, got := press(c.dialog, c.key)
			if c.want == nil {
				if got != nil || !m.Open() {
					t.Fatalf("got %v, open %v; want the dialog still open", got, m.Open())
				}
				return
			}
			if got != c.want || m.Open() {
				t.Fatalf("got %v, open %v; want %v and closed", got, m.Open(), c.want)
			}
			if _, again := press(m, c.key); again != nil {
				t.Errorf("a closed dialog answered again: %v", again)
			}
		})
	}
}

func TestViewShowsTheQuestionAndEachOption(t *testing.T) {
	t.Parallel()
	view := ansi.Strip(YesNo(1, "Show the solution?", DefaultKeyMap()).View(Styles{}, 40))
	for _, want := range []string{"Show the solution?", "y yes", "n no"} {
		if !strings.Contains(view, want) {
			t.Errorf("dialog lacks %q:\n%s", want, view)
		}
	}
}
