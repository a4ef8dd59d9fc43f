package tui

import (
	"time"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
)

// phaseMsg: the cluster reached a start-up phase.
type phaseMsg struct {
	title   string
	elapsed time.Duration
}

// upDoneMsg: the cluster is up (err nil) or could not start.
type upDoneMsg struct{ err error }

// sessionMsg: a lesson session was opened and its first step started.
type sessionMsg struct {
	session *engine.Session
	step    int
	err     error
	// unavailable: the step cannot run here (a class's shared cluster);
	// the lesson opens on it, saying why, and other steps can be chosen.
	unavailable string
}

// pendingMsg: a lesson was opened before the cluster runs; its screen
// shows the step's text while the cluster comes up.
type pendingMsg struct {
	lesson *lesson.Lesson
	step   int
}

// stepStartedMsg: a step (re)started, or failed to.
type stepStartedMsg struct {
	step int
	err  error
}

// engineMsg wraps one engine event.
type engineMsg engine.Event

// nodesMsg: node readiness for the status bar.
type nodesMsg struct{ ready, total int }

// shellDoneMsg: the learner left the shell.
type shellDoneMsg struct{ err error }

// tickMsg refreshes elapsed times.
type tickMsg time.Time

// metricsMsg: one reading of the lesson app's figures for the on-duty panel.
type metricsMsg struct {
	snap metrics.Snapshot
	err  error
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

// What the screens report to the root.
type (
	// quitMsg: the learner quits kubelab.
	quitMsg struct{}
	// startQuizMsg: the learner asked for a quiz from the lesson list.
	startQuizMsg struct{}
	// lessonClosedMsg: the learner left the lesson (its session is closed).
	lessonClosedMsg struct{}
	// quizDoneMsg: the learner left the quiz (its tasks are closed).
	quizDoneMsg struct{}
)

// The questions the screens ask, as confirm.ChosenMsg.ID.
const (
	askSolution = iota + 1
	askReset
	askSubmit
	askResume
	askRecreate
)
