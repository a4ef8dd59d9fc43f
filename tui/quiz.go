package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/quiz"
)

// QuizConfig starts the TUI in a quiz (kubelab quiz) instead of the lesson list.
type QuizConfig struct {
	Options quiz.Options
	Store   quiz.Store
}

// quizModel is exam mode: one question at a time, a visible timer, jump
// between questions, flag for review, submit; then the results.
type quizModel struct {
	store   quiz.Store
	attempt *quiz.Attempt
	cursor  int // question
	choice  int // highlighted option
	result  *quiz.Result
	confirm bool // submit?
	resume  *quiz.Attempt
	message string
	fresh   func() (*quiz.Attempt, error) // a new attempt, after abandoning one
	done    bool                          // back to the lesson list
	quit    bool
	now     time.Time
}

func newQuiz(store quiz.Store, a *quiz.Attempt, resume *quiz.Attempt, now time.Time) quizModel {
	return quizModel{store: store, attempt: a, resume: resume, now: now}
}

func (m quizModel) update(msg tea.Msg, keys KeyMap) (quizModel, tea.Cmd) {
	if t, ok := msg.(tickMsg); ok {
		m.now = time.Time(t)
		if m.attempt != nil && m.result == nil && m.attempt.Expired(m.now) {
			return m.submit(), nil // the time is up: submit what was answered
		}
		return m, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if m.resume != nil { // a quiz was left unfinished
		switch k.String() {
		case "r":
			m.attempt, m.resume = m.resume, nil
		case "a":
			_ = m.store.Abandon()
			m.resume = nil
			a, err := m.fresh()
			if err != nil {
				m.message, m.attempt, m.result = "No quiz: "+err.Error(), &quiz.Attempt{}, &quiz.Result{}
				return m, nil
			}
			m.attempt = a
		case "q", "esc":
			m.done = true
		}
		return m, nil
	}
	if m.result != nil {
		if key.Matches(k, keys.Quit) || key.Matches(k, keys.Back) || k.String() == "enter" {
			m.done = true
		}
		return m, nil
	}
	if m.confirm {
		m.confirm = false
		if key.Matches(k, keys.Yes) {
			return m.submit(), nil
		}
		return m, nil
	}
	q := m.attempt.Questions[m.cursor]
	switch s := k.String(); {
	case key.Matches(k, keys.Quit), key.Matches(k, keys.Back):
		_ = m.store.Save(m.attempt) // resume next time
		m.done = true
	case s == "right" || s == "l" || s == "n" || s == "tab":
		m.cursor, m.choice = min(m.cursor+1, len(m.attempt.Questions)-1), 0
	case s == "left" || s == "h" || s == "p" || s == "shift+tab":
		m.cursor, m.choice = max(m.cursor-1, 0), 0
	case key.Matches(k, keys.Up):
		m.choice = max(0, m.choice-1)
	case key.Matches(k, keys.Down):
		m.choice = min(len(q.Choices)-1, m.choice+1)
	case s == "space" || s == "enter" || (len(s) == 1 && s[0] >= '1' && s[0] <= '9'):
		pick := m.choice
		if len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
			pick = int(s[0] - '1')
		}
		if pick < len(q.Choices) {
			m.message = ""
			if err := m.attempt.Answer(q.ID, toggle(m.attempt.Answers[q.ID], pick, q.Multiple()), m.now); err != nil {
				m.message = err.Error()
			}
			_ = m.store.Save(m.attempt)
		}
	case s == "f":
		m.attempt.Flagged[q.ID] = !m.attempt.Flagged[q.ID]
		_ = m.store.Save(m.attempt)
	case s == "S":
		m.confirm = true
	}
	return m, nil
}

func toggle(chosen []int, i int, multiple bool) []int {
	if !multiple {
		return []int{i}
	}
	if slices.Contains(chosen, i) {
		return slices.DeleteFunc(slices.Clone(chosen), func(c int) bool { return c == i })
	}
	return append(slices.Clone(chosen), i)
}

func (m quizModel) submit() quizModel {
	r, err := m.store.Finish(m.attempt, m.now)
	if err != nil {
		m.message = "your results could not be saved: " + err.Error()
	}
	m.result = &r
	return m
}

func (m quizModel) view(s Styles, width, height int) string {
	var b strings.Builder
	switch {
	case m.resume != nil:
		answered := len(m.resume.Answers)
		b.WriteString(s.Title.Render("Quiz") + "\n\n")
		fmt.Fprintf(&b, "You left a quiz unfinished (%d of %d answered).\n\n", answered, len(m.resume.Questions))
		b.WriteString(s.Key.Render("r") + " resume   " + s.Key.Render("a") + " abandon it and start a new one   " + s.Key.Render("q") + " back")
	case m.result != nil:
		b.WriteString(m.resultsView(s, width))
	default:
		b.WriteString(m.questionView(s, width))
	}
	return s.Page.Render(b.String())
}

func (m quizModel) questionView(s Styles, width int) string {
	var b strings.Builder
	a := m.attempt
	q := a.Questions[m.cursor]
	timer := "no time limit"
	if a.Limit > 0 {
		left := a.Remaining(m.now).Round(time.Second)
		timer = fmt.Sprintf("%s left", left)
		if left < time.Minute {
			timer = s.Warn.Render(timer)
		}
	}
	b.WriteString(s.Title.Render("Quiz") + s.Muted.Render(fmt.Sprintf("  ·  question %d/%d  ·  %d answered  ·  ", m.cursor+1, len(a.Questions), len(a.Answers))) + timer + "\n")
	// The question strip: answered, flagged, current.
	var strip []string
	for i, x := range a.Questions {
		mark := "·"
		if len(a.Answers[x.ID]) > 0 {
			mark = "●"
		}
		if a.Flagged[x.ID] {
			mark = "⚑"
		}
		if i == m.cursor {
			mark = s.Selected.Render("[" + mark + "]")
		}
		strip = append(strip, mark)
	}
	b.WriteString(strings.Join(strip, " ") + "\n\n")
	kind := "choose one"
	if q.Multiple() {
		kind = "choose all that apply"
	}
	b.WriteString(s.Concept.Render(strings.ToUpper(q.Topic)) + s.Muted.Render("  ("+kind+")") + "\n")
	b.WriteString(wrap(q.Text, width-6, "") + "\n\n")
	for i, c := range q.Choices {
		box := "( )"
		if q.Multiple() {
			box = "[ ]"
		}
		if slices.Contains(a.Answers[q.ID], i) {
			box = strings.Replace(box, " ", "x", 1)
		}
		line := wrap(fmt.Sprintf("%s %d. %s", box, i+1, c), width-8, "         ")
		if i == m.choice {
			line = s.Selected.Render("▸ " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	if a.Flagged[q.ID] {
		b.WriteString("\n" + s.Warn.Render("⚑ flagged for review") + "\n")
	}
	if m.message != "" {
		b.WriteString("\n" + s.Error.Render(m.message) + "\n")
	}
	if m.confirm {
		unanswered := len(a.Questions) - len(a.Answers)
		b.WriteString("\n" + s.Dialog.Render(fmt.Sprintf("Submit now? %d question(s) unanswered. (y/n)", unanswered)) + "\n")
	}
	b.WriteString("\n" + s.Muted.Render("↑/↓ option · space/1-9 choose · ←/→ question · f flag · S submit · q save and leave"))
	return b.String()
}

func (m quizModel) resultsView(s Styles, width int) string {
	var b strings.Builder
	r := m.result
	verdict := s.Error.Render(fmt.Sprintf("Not passed: %.0f%% (pass mark %.0f%%)", r.Score*100, quiz.PassMark*100))
	if r.Passed {
		verdict = s.Success.Render(fmt.Sprintf("Passed: %.0f%% (pass mark %.0f%%)", r.Score*100, quiz.PassMark*100))
	}
	b.WriteString(s.Title.Render("Quiz results") + "\n\n" + verdict + "\n\n")
	for _, t := range r.Topics {
		bar := strings.Repeat("█", int(t.Percent*20+0.5)) + strings.Repeat("░", 20-int(t.Percent*20+0.5))
		line := fmt.Sprintf("%-14s %s %3.0f%%  %d/%d", t.Topic, bar, t.Percent*100, t.Right, t.Total)
		if len(t.Lessons) > 0 {
			line += s.Muted.Render("  revisit: " + strings.Join(t.Lessons, ", "))
		}
		b.WriteString(line + "\n")
	}
	if len(r.Wrong) > 0 {
		b.WriteString("\n" + s.Subtitle.Render("To review") + "\n")
		for _, q := range m.attempt.Questions {
			if !slices.Contains(r.Wrong, q.ID) {
				continue
			}
			var right []string
			for _, i := range q.Answers {
				right = append(right, q.Choices[i])
			}
			b.WriteString(s.Fail.Render("✗ ") + wrap(q.Text, width-8, "  ") + "\n")
			b.WriteString("  " + s.Pass.Render("right: ") + wrap(strings.Join(right, "; "), width-14, "         ") + "\n")
			if q.Explanation != "" {
				b.WriteString("  " + s.Muted.Render(wrap(q.Explanation, width-8, "  ")) + "\n")
			}
		}
	}
	if m.message != "" {
		b.WriteString("\n" + s.Error.Render(m.message) + "\n")
	}
	b.WriteString("\n" + s.Muted.Render("enter/esc back"))
	return b.String()
}
