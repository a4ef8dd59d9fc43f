package tui

import (
	"context"
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/tui/components/confirm"
)

// QuizConfig starts the TUI in a quiz (kubelab quiz) instead of the lesson list.
type QuizConfig struct {
	Options quiz.Options
	Store   quiz.Store
}

// quizModel is exam mode: one question at a time, a visible timer, jump
// between questions, flag for review, submit; then the results.
type quizModel struct {
	c       *common
	tasks   map[string]*lesson.Lesson  // hands-on question id -> its one-step lesson
	running map[string]*engine.Session // started task sessions, by question id
	goals   map[string][]check.Result  // their latest results
	store   quiz.Store
	attempt *quiz.Attempt
	cursor  int // question
	choice  int // highlighted option
	result  *quiz.Result
	dialog  confirm.Model // submit? or: resume the unfinished quiz?
	resume  *quiz.Attempt
	message string
	fresh   func() (*quiz.Attempt, error) // a new attempt, after abandoning one
	now     time.Time
}

// startQuiz offers to resume an unfinished quiz or starts a new one.
func startQuiz(c *common, cfg QuizConfig, now time.Time) quizModel {
	m := quizModel{c: c, store: cfg.Store, now: now,
		tasks: map[string]*lesson.Lesson{}, running: map[string]*engine.Session{}, goals: map[string][]check.Result{}}
	for _, l := range c.lab.Lessons() {
		for _, t := range l.Tasks {
			m.tasks[l.ID+"/task/"+t.ID] = l.AsLesson(t)
		}
	}
	m.fresh = func() (*quiz.Attempt, error) {
		qs, err := quiz.Select(quiz.Bank(c.lab.Lessons()), cfg.Options)
		if err != nil {
			return nil, err
		}
		a := quiz.NewAttempt(qs, cfg.Options, time.Now())
		return a, cfg.Store.Save(a)
	}
	resume, err := cfg.Store.Current()
	if resume != nil {
		k := c.keys.Quiz
		m.resume = resume
		m.dialog = confirm.New(askResume, fmt.Sprintf("You left a quiz unfinished (%d of %d answered).", len(resume.Answers), len(resume.Questions)), k.Resume, k.Abandon, k.Back)
		return m
	}
	if err != nil {
		m.message = err.Error()
	}
	return m.begin()
}

// begin starts a fresh attempt, or shows why there is none.
func (m quizModel) begin() quizModel {
	a, err := m.fresh()
	if err != nil {
		m.message, m.attempt, m.result = "No quiz: "+err.Error(), &quiz.Attempt{}, &quiz.Result{}
		return m
	}
	m.attempt = a
	return m
}

// needsCluster reports whether a quiz with these options has hands-on tasks.
func needsCluster(lab Lab, o quiz.Options) bool {
	qs, _ := quiz.Select(quiz.Bank(lab.Lessons()), o)
	return slices.ContainsFunc(qs, quiz.Question.IsTask)
}

// ensureTask starts the session of the current question if it is a task.
func (m quizModel) ensureTask() tea.Cmd {
	if m.attempt == nil || m.result != nil || len(m.attempt.Questions) == 0 {
		return nil
	}
	q := m.attempt.Questions[m.cursor]
	l, ok := m.tasks[q.ID]
	if _, started := m.running[q.ID]; !q.IsTask() || !ok || started {
		return nil
	}
	m.running[q.ID] = nil // starting
	lab, ctx := m.c.lab, m.c.ctx
	return func() tea.Msg {
		s, err := lab.Open(l)
		if err == nil {
			err = s.Start(ctx, 0)
		}
		return taskMsg{id: q.ID, session: s, err: err}
	}
}

// listenTask waits for a task's next event; it ends when the session closes.
func listenTask(id string, s *engine.Session) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-s.Events()
		if !ok {
			return nil
		}
		return taskEventMsg{id: id, event: e}
	}
}

// closeTasks stops the task sessions and removes their namespaces.
func (m quizModel) closeTasks() {
	for _, s := range m.running {
		if s != nil {
			s.Close()
			go func() { _ = s.Cleanup(context.Background()) }()
		}
	}
}

// leave closes the tasks and tells the root the quiz is over.
func (m quizModel) leave() (quizModel, tea.Cmd) {
	m.closeTasks()
	return m, report(quizDoneMsg{})
}

// keyMap is the quiz's keys for what it shows now.
func (m quizModel) keyMap() QuizKeys {
	k := m.c.keys.Quiz
	resume := m.resume != nil
	results := !resume && m.result != nil
	question := !resume && !results && m.attempt != nil && len(m.attempt.Questions) > 0
	task := question && m.attempt.Questions[m.cursor].IsTask()
	for _, b := range []*key.Binding{&k.Resume, &k.Abandon, &k.Back} {
		b.SetEnabled(resume)
	}
	for _, b := range []*key.Binding{&k.Prev, &k.Next, &k.Flag, &k.Submit, &k.Leave} {
		b.SetEnabled(question)
	}
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.Choose, &k.Pick} {
		b.SetEnabled(question && !task)
	}
	k.Shell.SetEnabled(task)
	k.Done.SetEnabled(results)
	return k
}

func (m quizModel) update(msg tea.Msg) (quizModel, tea.Cmd) {
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
		if msg.event.Kind == engine.EventResults {
			m.goals[msg.id] = msg.event.Results
		}
		if s := m.running[msg.id]; s != nil && m.result == nil {
			return m, listenTask(msg.id, s)
		}
		return m, nil
	case tickMsg:
		m.now = time.Time(msg)
		if m.attempt != nil && m.result == nil && m.attempt.Expired(m.now) {
			return m.submit(), nil // the time is up: submit what was answered
		}
		return m, nil
	case confirm.ChosenMsg:
		return m.onChosen(msg)
	case tea.KeyPressMsg:
		if m.dialog.Open() {
			var cmd tea.Cmd
			m.dialog, cmd = m.dialog.Update(msg)
			return m, cmd
		}
		return m.onKey(msg)
	}
	return m, nil
}

func (m quizModel) onChosen(msg confirm.ChosenMsg) (quizModel, tea.Cmd) {
	switch msg.ID {
	case askSubmit:
		if msg.Option == confirm.Yes {
			return m.submit(), nil
		}
	case askResume:
		switch msg.Option {
		case 0: // resume
			m.attempt, m.resume = m.resume, nil
			return m, m.ensureTask()
		case 1: // abandon
			_ = m.store.Abandon()
			m.resume = nil
			m = m.begin()
			return m, m.ensureTask()
		default:
			return m.leave()
		}
	}
	return m, nil
}

func (m quizModel) onKey(k tea.KeyPressMsg) (quizModel, tea.Cmd) {
	keys := m.keyMap()
	if m.result != nil {
		if key.Matches(k, keys.Done) {
			return m.leave()
		}
		return m, nil
	}
	if m.attempt == nil {
		return m, nil
	}
	q := m.attempt.Questions[m.cursor]
	switch {
	case key.Matches(k, keys.Leave):
		_ = m.store.Save(m.attempt) // resume next time
		return m.leave()
	case key.Matches(k, keys.Next):
		m.cursor, m.choice = min(m.cursor+1, len(m.attempt.Questions)-1), 0
		return m, m.ensureTask()
	case key.Matches(k, keys.Prev):
		m.cursor, m.choice = max(m.cursor-1, 0), 0
		return m, m.ensureTask()
	case key.Matches(k, keys.Shell):
		if l := m.tasks[q.ID]; l != nil {
			cmd, err := m.c.lab.Shell(l)
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
	case key.Matches(k, keys.Choose), key.Matches(k, keys.Pick):
		pick := m.choice
		if key.Matches(k, keys.Pick) {
			pick = int(k.String()[0] - '1')
		}
		if pick < len(q.Choices) {
			m.message = ""
			if err := m.attempt.Answer(q.ID, toggle(m.attempt.Answers[q.ID], pick, q.Multiple()), m.now); err != nil {
				m.message = err.Error()
			}
			_ = m.store.Save(m.attempt)
		}
	case key.Matches(k, keys.Flag):
		m.attempt.Flagged[q.ID] = !m.attempt.Flagged[q.ID]
		_ = m.store.Save(m.attempt)
	case key.Matches(k, keys.Submit):
		unanswered := len(m.attempt.Questions) - len(m.attempt.Answers)
		m.dialog = confirm.YesNo(askSubmit, fmt.Sprintf("Submit now? %d question(s) unanswered.", unanswered), m.c.keys.Confirm)
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
	m.dialog = confirm.Model{}
	r, err := m.store.Finish(m.attempt, m.now)
	if err != nil {
		m.message = "your results could not be saved: " + err.Error()
	}
	m.result = &r
	return m
}
