package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/tui/components/goals"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

func (m quizModel) view() string {
	s, width := m.c.styles, m.c.width
	var b strings.Builder
	switch {
	case m.resume != nil:
		b.WriteString(s.Title.Render("Quiz") + "\n\n")
		if m.dialog.Open() {
			b.WriteString(m.dialog.View(s.confirm(), 0))
		}
	case m.attempt == nil:
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
	// A long quiz shows the part of the strip around the current question.
	from, to := 0, len(a.Questions)
	if fit := max(5, (width-8)/2); to > fit {
		from = max(0, min(m.cursor-fit/2, to-fit))
		to = from + fit
		if from > 0 {
			strip = append(strip, s.Muted.Render("…"))
		}
	}
	for i, x := range a.Questions[from:to] {
		i += from
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
	if to < len(a.Questions) {
		strip = append(strip, s.Muted.Render("…"))
	}
	b.WriteString(strings.Join(strip, " ") + "\n\n")
	kind := "choose one"
	if q.Multiple() {
		kind = "choose all that apply"
	}
	if q.Unscored {
		kind += "; not scored"
	}
	if q.IsTask() {
		b.WriteString(s.Concept.Render(strings.ToUpper(q.Topic)) + s.Muted.Render("  (hands-on: do it with kubectl; judged when you submit)") + "\n")
		b.WriteString(wrap.Words(q.Text, width-6, "") + "\n\n")
		if l := m.tasks[q.ID]; l != nil {
			b.WriteString(s.Muted.Render("namespace "+l.Namespace()+" · x opens a shell there") + "\n\n")
		}
		b.WriteString(goals.Model{Results: m.goals[q.ID], Waiting: "setting the task up…", Styles: s.goals()}.View(width-6) + "\n")
		if m.message != "" {
			b.WriteString("\n" + s.Error.Render(m.message) + "\n")
		}
		if m.dialog.Open() {
			b.WriteString("\n" + m.dialog.View(s.confirm(), 0) + "\n")
		}
		b.WriteString("\n" + s.Muted.Render("←/→ question · x shell · f flag · S submit · q save and leave"))
		return b.String()
	}
	b.WriteString(s.Concept.Render(strings.ToUpper(q.Topic)) + s.Muted.Render("  ("+kind+")") + "\n")
	b.WriteString(wrap.Words(q.Text, width-6, "") + "\n\n")
	for i, c := range q.Choices {
		box := "( )"
		if q.Multiple() {
			box = "[ ]"
		}
		if slices.Contains(a.Answers[q.ID], i) {
			box = strings.Replace(box, " ", "x", 1)
		}
		line := wrap.Words(fmt.Sprintf("%s %d. %s", box, i+1, c), width-8, "         ")
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
	if m.dialog.Open() {
		b.WriteString("\n" + m.dialog.View(s.confirm(), 0) + "\n")
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
	b.WriteString("\n" + s.Subtitle.Render("Every question") + "\n")
	for _, q := range m.attempt.Questions {
		text := q.Text
		if q.Unscored {
			text += " (not scored)"
		}
		if !slices.Contains(r.Wrong, q.ID) {
			b.WriteString(s.Pass.Render("✓ ") + wrap.Words(text, width-8, "  ") + "\n")
			continue
		}
		b.WriteString(s.Fail.Render("✗ ") + wrap.Words(text, width-8, "  ") + "\n")
		if q.IsTask() {
			b.WriteString("  " + s.Muted.Render(wrap.Words(q.Explanation, width-8, "  ")) + "\n")
			continue
		}
		var right []string
		for _, i := range q.Answers {
			right = append(right, q.Choices[i])
		}
		b.WriteString("  " + s.Pass.Render("right: ") + wrap.Words(strings.Join(right, "; "), width-14, "         ") + "\n")
		if q.Explanation != "" {
			b.WriteString("  " + s.Muted.Render(wrap.Words(q.Explanation, width-8, "  ")) + "\n")
		}
	}
	if m.message != "" {
		b.WriteString("\n" + s.Error.Render(m.message) + "\n")
	}
	b.WriteString("\n" + s.Muted.Render("enter/esc back"))
	return b.String()
}
