package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/check"
)

// Resync carries the current step on after the cluster was lost and came
// back. cfg replaces the session's configuration (a restarted cluster may
// answer at a new address, so its clients are new) and the step's live
// checks start again on what the cluster holds now. When the lesson's
// namespace is gone (a cluster created afresh) the step is set up again,
// its faults included; otherwise nothing is applied, so what the learner
// built stays, and a goal that passed before is not counted as a new
// attempt. The hints shown stay shown.
func (s *Session) Resync(ctx context.Context, cfg Config) error {
	i, step := s.Step()
	if i < 0 {
		return errors.New("no step is running")
	}
	s.evMu.Lock()
	closed := s.closed
	s.evMu.Unlock()
	if closed {
		return ErrClosed
	}
	s.stop()
	s.cfg = cfg // the step's goroutines have stopped
	_, err := cfg.Client.CoreV1().Namespaces().Get(ctx, s.Namespace(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return s.start(ctx, i, true)
	case err != nil:
		return fmt.Errorf("read namespace %s: %w", s.Namespace(), err)
	}
	c, err := check.New(cfg.Dynamic, s.Namespace(), step.Goals)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.stepStart, s.cancel, s.done, s.checker = time.Now(), cancel, make(chan struct{}), c
	done := s.done
	s.mu.Unlock()
	s.logEvent("resynced", "")
	go c.Run(runCtx)
	go s.watch(runCtx, i, c, done)
	select {
	case <-c.Synced():
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}
