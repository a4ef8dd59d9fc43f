package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

// PremiseSeen is one of a step's premises as a proof saw it: what must be
// seen after the step's setup and faults, before its solution.
type PremiseSeen struct {
	ID, Title string
	Seen      bool
	After     time.Duration // since the step started, when first seen
	// Expected and Actual are the premise's last result while not seen.
	Expected, Actual string
}

// premiseWatch latches a step's premises: each is seen once it has passed,
// whatever it does later ("the pod was OOM-killed" stays seen while the
// pod restarts).
type premiseWatch struct {
	began  time.Time
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	seen    []PremiseSeen
	allSeen chan struct{} // closed once every premise was seen
}

// watchPremises starts watching premises in s's namespace; began is when
// the step started. Stop it with stop.
func watchPremises(ctx context.Context, s *Session, premises []lesson.Goal, began time.Time) (*premiseWatch, error) {
	c, err := check.New(s.cfg.Dynamic, s.Namespace(), premises)
	if err != nil {
		return nil, fmt.Errorf("premises: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &premiseWatch{began: began, cancel: cancel, done: make(chan struct{}), allSeen: make(chan struct{})}
	for _, g := range premises {
		w.seen = append(w.seen, PremiseSeen{ID: g.ID, Title: g.Title})
	}
	go c.Run(ctx)
	go func() {
		defer close(w.done)
		for {
			select {
			case <-ctx.Done():
				return
			case rs := <-c.Updates():
				w.note(rs)
			}
		}
	}()
	return w, nil
}

// note latches the premises that pass in rs.
func (w *premiseWatch) note(rs []check.Result) {
	w.mu.Lock()
	defer w.mu.Unlock()
	all := true
	for i, r := range rs {
		if i >= len(w.seen) || w.seen[i].Seen {
			continue
		}
		if r.Pass {
			w.seen[i].Seen, w.seen[i].After = true, time.Since(w.began)
			continue
		}
		w.seen[i].Expected, w.seen[i].Actual = r.Expected, r.Actual
		all = false
	}
	if all && len(rs) == len(w.seen) {
		select {
		case <-w.allSeen:
		default:
			close(w.allSeen)
		}
	}
}

// wait waits up to within for every premise to be seen, stops watching and
// returns what was seen, with an error naming the first premise that was not.
func (w *premiseWatch) wait(ctx context.Context, within time.Duration) ([]PremiseSeen, error) {
	select {
	case <-w.allSeen:
	case <-time.After(within):
	case <-ctx.Done():
	}
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	seen := append([]PremiseSeen(nil), w.seen...)
	if err := ctx.Err(); err != nil {
		return seen, err
	}
	for _, p := range seen {
		if !p.Seen {
			actual := ""
			if p.Actual != "" {
				actual = fmt.Sprintf(" (expected %s; actual %s)", p.Expected, p.Actual)
			}
			return seen, fmt.Errorf("premise %s was not seen within %s of the step's setup and faults, so the scenario did not happen: %s%s",
				p.ID, within, p.Title, actual)
		}
	}
	return seen, nil
}
