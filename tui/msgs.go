package tui

import (
	"time"

	"github.com/kubelab/kubelab/lab/engine"
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
