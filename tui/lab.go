// Package tui is kubelab's full-screen terminal interface (Bubble Tea v2):
// the start-up screen while the cluster comes up, the lesson list, and the
// lesson screen with its live goals. It drives the lab through the Lab
// interface and lab/engine sessions; it never talks to the cluster itself.
package tui

import (
	"context"
	"io/fs"
	"os/exec"
	"time"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lab/quiz"
)

// Lab is what the TUI needs from its host (cmd/kubelab wires the real one).
type Lab interface {
	// Backend names the cluster backend, for the status bar.
	Backend() string
	// Up brings the cluster up (or finds it running), reporting each phase.
	Up(ctx context.Context, phase func(title string, elapsed time.Duration)) error
	// Lessons and the FS their files live in.
	Lessons() []*lesson.Lesson
	LessonsFS() fs.FS
	// Progress is the learner's progress so far.
	Progress() progress.File
	// Open starts an engine session on a lesson (after Up).
	Open(l *lesson.Lesson) (*engine.Session, error)
	// Shell returns the command for a shell in the lesson's namespace, with
	// KUBECONFIG set and kubectl available.
	Shell(l *lesson.Lesson) (*exec.Cmd, error)
	// Health probes the cluster: running, starting, stopped or
	// unreachable, with the host's sentence when it is not running.
	Health(ctx context.Context) (cluster.State, string)
	// Recreate removes a cluster that cannot come back (Up's
	// cluster.ErrGone) and brings up a fresh one, progress kept.
	Recreate(ctx context.Context, phase func(title string, elapsed time.Duration)) error
	// Resync carries session s on after Up brought the cluster back.
	Resync(ctx context.Context, s *engine.Session) error
	// Nodes reports how many nodes are Ready, of how many.
	Nodes(ctx context.Context) (ready, total int, err error)
	// QuizStore keeps quiz attempts and results.
	QuizStore() quiz.Store
	// Metrics reads the lesson app's figures in namespace ns (the on-duty
	// panel of steps with panel: metrics).
	Metrics(ctx context.Context, ns string) (metrics.Snapshot, error)
}
