package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

// buildsOn lists the steps step i builds on (its builds_on, what that one
// builds on, and so on), the earliest first.
func buildsOn(l *lesson.Lesson, i int) []int {
	var out []int
	seen := map[int]bool{}
	for id := l.Steps[i].BuildsOn; id != ""; {
		j, st, ok := l.Step(id)
		if !ok || j >= i || seen[j] {
			break // lint refuses these; never loop
		}
		seen[j] = true
		out = append([]int{j}, out...)
		id = st.BuildsOn
	}
	return out
}

// catchUp brings back, in order, what the steps step i builds on would have
// left, wherever their goals do not pass now: a learner who skipped ahead,
// reset the step or came back on a new cluster finds what the step expects.
// Steps whose goals pass are left alone, so what a learner built stays. When
// it cannot, it says so in one sentence (EventProblem) and the step goes on.
func (s *Session) catchUp(ctx context.Context, i int) {
	for _, j := range buildsOn(s.Lesson, i) {
		st := &s.Lesson.Steps[j]
		if ok, _, err := s.goalsPass(ctx, st.Goals, 0); err != nil || ok {
			if err != nil {
				s.emit(Event{Kind: EventProblem, Step: i, Message: err.Error()})
			}
			continue
		}
		s.emit(Event{Kind: EventPreparing, Step: i, Message: fmt.Sprintf("Setting up what step %d (%s) leaves…", j+1, st.Title)})
		applyErr := s.applySetup(ctx, st)
		if applyErr == nil {
			applyErr = s.apply(ctx, "solution of step "+st.ID, st.Solution)
		}
		wait := s.settleFor()
		if applyErr != nil {
			wait = 2 * time.Second // what failed will not come: see what is there
		}
		ok, rs, err := s.goalsPass(ctx, st.Goals, wait)
		if ok {
			continue
		}
		why := failing(rs)
		if err != nil {
			why = err.Error()
		} else if applyErr != nil && why == "" {
			why = applyErr.Error()
		}
		s.emit(Event{Kind: EventProblem, Step: i, Message: fmt.Sprintf(
			"This step starts from what step %d (%s) leaves, and kubelab could not put it back (%s): press r to reset the step, which rebuilds it from empty.",
			j+1, st.Title, why)})
		return
	}
}

// settleFor is how long the cluster gets to show a solution's effect: real
// containers start slower than simulated ones, and a rollout on a busy
// 2-core machine takes its time even simulated.
func (s *Session) settleFor() time.Duration {
	switch {
	case s.cfg.Settle > 0:
		return s.cfg.Settle
	case s.cfg.RealContainers:
		return 2 * time.Minute
	}
	return time.Minute
}

// goalsPass evaluates goals (ignoring their hold) in the session's
// namespace, waiting up to wait for all of them to pass.
func (s *Session) goalsPass(ctx context.Context, goals []lesson.Goal, wait time.Duration) (bool, []check.Result, error) {
	unheld := make([]lesson.Goal, len(goals))
	for i, g := range goals {
		g.Hold = ""
		unheld[i] = g
	}
	c, err := check.New(s.cfg.Dynamic, s.Namespace(), unheld)
	if err != nil {
		return false, nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go c.Run(ctx)
	select {
	case <-c.Synced():
	case <-time.After(20 * time.Second):
		return false, nil, fmt.Errorf("the cluster did not answer within 20s")
	case <-ctx.Done():
		return false, nil, ctx.Err()
	}
	timeout := time.After(wait)
	for {
		rs := c.Results()
		if check.AllPass(rs) {
			return true, rs, nil
		}
		select {
		case <-c.Updates():
		case <-timeout:
			return false, rs, nil
		case <-ctx.Done():
			return false, rs, ctx.Err()
		}
	}
}

// failing says in words what the failing results have instead.
func failing(rs []check.Result) string {
	var out []string
	for _, r := range rs {
		if !r.Pass {
			out = append(out, r.Actual)
		}
	}
	return strings.Join(out, "; ")
}
