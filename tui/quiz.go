package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
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
	lab     Lab
	tasks   map[string]*lesson.Lesson  // hands-on question id -> its one-step lesson
	running map[string]*engine.Session // started task sessions, by question id
	goals   map[string][]check.Result  // their latest results
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
	now     time.Time
}

func newQuiz(lab Lab, store quiz.Store, a *quiz.Attempt, resume *quiz.Attempt, now time.Time) quizModel {
	m := quizModel{lab: lab, store: store, attempt: a, resume: resume, now: now,
		tasks: map[string]*lesson.Lesson{}, running: map[string]*engine.Session{}, goals: map[string][]check.Result{}}
	for _, l := range lab.Lessons() {
		for _, t := range l.Tasks {
			m.tasks[l.ID+"/task/"+t.ID] = l.AsLesson(t)
		}
	}
	return m
}

// taskMsg: a hands-on task's session started (or failed to).
type taskMsg struct {
	id      string
	session *engine.Session
	err     error
}

// taskEventMsg: an event of a hands-on task's session.
type taskEventMsg struct {
	id    string
	event engine.Event
}

// ensureTask starts the session of the current question if it is a task.
func (m quizModel) ensureTask(ctx context.Context) tea.Cmd {
	if m.attempt == nil || m.result != nil || len(m.attempt.Questions) == 0 {
		return nil
	}
	q := m.attempt.Questions[m.cursor]
	l, ok := m.tasks[q.ID]
	if _, started := m.running[q.ID]; !q.IsTask() || !ok || started {
		return nil
	}
	m.running[q.ID] = nil // starting
	lab := m.lab
	return func() tea.Msg {
		s, err := lab.Open(l)
		if err == nil {
			err = s.Start(ctx, 0)
		}
		return taskMsg{id: q.ID, session: s, err: err}
	}
}

func listenTask(id string, s *engine.Session) tea.Cmd {
	return func() tea.Msg { return taskEventMsg{id: id, event: <-s.Events()} }
}

// closeTasks stops the task sessions and removes their namespaces.
func (m quizModel) closeTasks() {
	for _, s := range m.running {
		if s != nil {
			go func() { _ = s.Cleanup(context.Background()) }()
		}
	}
}

func (m quizModel) update(root Model, msg tea.Msg) (quizModel, tea.Cmd) {
	keys := root.keys
	switch msg := msg.(type) {
	case taskMsg:
		if msg.err != nil {
			m.message = "The task could not be set up: " + msg.err.Error()
			delete(m.running, msg.id)
			return m, nil
		}
		m.running[msg.id] = msg.session
		return m, listenTask(msg.id, msg.session)
	case taskEventMsg:
		if msg.event.Kind == engine.Results {
			m.goals[msg.id] = msg.event.Results
		}
		if s := m.running[msg.id]; s != nil && m.result == nil {
			return m, listenTask(msg.id, s)
		}
		return m, nil
	case shellDoneMsg:
		return m, nil
	}
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
			return m, m.ensureTask(root.ctx)
		case "a":
			_ = m.store.Abandon()
			m.resume = nil
			a, err := m.fresh()
			if err != nil {
				m.message, m.attempt, m.result = "No quiz: "+err.Error(), &quiz.Attempt{}, &quiz.Result{}
				return m, nil
			}
			m.attempt = a
			return m, m.ensureTask(root.ctx)
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
		return m, m.ensureTask(root.ctx)
	case s == "left" || s == "h" || s == "p" || s == "shift+tab":
		m.cursor, m.choice = max(m.cursor-1, 0), 0
		return m, m.ensureTask(root.ctx)
	case q.IsTask() && key.Matches(k, keys.Shell):
		if l := m.tasks[q.ID]; l != nil {
			cmd, err := root.lab.Shell(l)
			if err != nil {
				m.message = err.Error()
				return m, nil
			}
			return m, tea.ExecProcess(cmd, func(err error) tea.Msg { return shellDoneMsg{err: err} })
		}
	case key.Matches(k, keys.Up):
		m.choice = max(0, m.choice-1)
	case key.Matches(k, keys.Down):
		m.choice = min(len(q.Choices)-1, m.choice+1)
	case !q.IsTask() && (s == "space" || s == "enter" || (len(s) == 1 && s[0] >= '1' && s[0] <= '9')):
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
	// A hands-on task is judged by the cluster at submission.
	for _, q := range m.attempt.Questions {
		if q.IsTask() {
			m.attempt.Answers[q.ID] = []int{0}
			if check.AllPass(m.goals[q.ID]) {
				m.attempt.Answers[q.ID] = []int{1}
			}
		}
	}
	m.closeTasks()
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
	if q.IsTask() {
		b.WriteString(s.Concept.Render(strings.ToUpper(q.Topic)) + s.Muted.Render("  (hands-on: do it with kubectl; judged when you submit)") + "\n")
		b.WriteString(wrap(q.Text, width-6, "") + "\n\n")
		if l := m.tasks[q.ID]; l != nil {
			b.WriteString(s.Muted.Render("namespace "+l.Namespace()+" · x opens a shell there") + "\n\n")
		}
		rs, started := m.goals[q.ID]
		switch {
		case !started:
			b.WriteString(s.Muted.Render("setting the task up…") + "\n")
		default:
			for _, r := range rs {
				if r.Pass {
					b.WriteString(s.Pass.Render("✓ ") + wrap(r.Title, width-8, "  ") + "\n")
				} else {
					b.WriteString(s.Fail.Render("✗ ") + wrap(r.Title, width-8, "  ") + "\n  " + s.Muted.Render("now: ") + wrap(r.Actual, width-13, "       ") + "\n")
				}
			}
		}
		if m.message != "" {
			b.WriteString("\n" + s.Error.Render(m.message) + "\n")
		}
		if m.confirm {
			b.WriteString("\n" + s.Dialog.Render(fmt.Sprintf("Submit now? %d question(s) unanswered. (y/n)", len(a.Questions)-len(a.Answers))) + "\n")
		}
		b.WriteString("\n" + s.Muted.Render("←/→ question · x shell · f flag · S submit · q save and leave"))
		return b.String()
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
	b.WriteString("\n" + s.Subtitle.Render("Every question") + "\n")
	for _, q := range m.attempt.Questions {
		if !slices.Contains(r.Wrong, q.ID) {
			b.WriteString(s.Pass.Render("✓ ") + wrap(q.Text, width-8, "  ") + "\n")
			continue
		}
		b.WriteString(s.Fail.Render("✗ ") + wrap(q.Text, width-8, "  ") + "\n")
		if q.IsTask() {
			b.WriteString("  " + s.Muted.Render(wrap(q.Explanation, width-8, "  ")) + "\n")
			continue
		}
		var right []string
		for _, i := range q.Answers {
			right = append(right, q.Choices[i])
		}
		b.WriteString("  " + s.Pass.Render("right: ") + wrap(strings.Join(right, "; "), width-14, "         ") + "\n")
		if q.Explanation != "" {
			b.WriteString("  " + s.Muted.Render(wrap(q.Explanation, width-8, "  ")) + "\n")
		}
	}
	if m.message != "" {
		b.WriteString("\n" + s.Error.Render(m.message) + "\n")
	}
	b.WriteString("\n" + s.Muted.Render("enter/esc back"))
	return b.String()
}
