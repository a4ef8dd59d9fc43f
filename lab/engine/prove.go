package engine

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/fault"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
)

// LoadLessons loads and fully validates every lesson folder at the root of
// fsys: fault kinds and parameters, goal expressions, files, ids.
func LoadLessons(fsys fs.FS) ([]*lesson.Lesson, error) {
	return lesson.LoadAll(fsys, ".", Validators())
}

// Validators checks faults and goals with the real catalogue and checker.
func Validators() lesson.Validators {
	return lesson.Validators{Fault: fault.Validate, Goal: check.Validate, Ref: check.ValidateRef, Command: checkCommand, Manifest: checkManifest}
}

// checkCommand is policy.CheckCommand as lesson.Validators wants it.
func checkCommand(cmd string) (manifests, files []string, err error) {
	c, err := policy.CheckCommand(cmd)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range c.Files {
		if f.Manifest {
			manifests = append(manifests, f.Name)
		} else {
			files = append(files, f.Name)
		}
	}
	return manifests, files, nil
}

func checkManifest(data []byte) []lesson.Problem {
	var out []lesson.Problem
	for _, p := range policy.CheckManifest(data) {
		out = append(out, lesson.Problem{Line: p.Line, Msg: p.Msg})
	}
	return out
}

// StepProof is how one step fared in a proof.
type StepProof struct {
	Step         string
	FailedBefore bool           // goals failed after setup and faults, before the solution
	PassedAfter  bool           // goals passed after the reference solution
	Before       []check.Result // what failed before
	After        []check.Result // the last results seen
	SolutionTook time.Duration  // from applying the solution to every goal passing
	Err          error
}

// Prove runs every step of l in order, as a learner would: start the step
// (setup and faults), check that its goals fail, apply the reference
// solution, and check that they pass. It stops at the first failing step.
func Prove(ctx context.Context, cfg Config, l *lesson.Lesson, report func(StepProof)) error {
	s := Open(cfg, l)
	defer func() { _ = s.Cleanup(context.WithoutCancel(ctx)) }()
	if err := s.Cleanup(ctx); err != nil {
		return err
	}
	for i, step := range l.Steps {
		p := proveStep(ctx, s, i, step)
		if report != nil {
			report(p)
		}
		if p.Err != nil {
			return fmt.Errorf("lesson %s step %s: %w", l.ID, step.ID, p.Err)
		}
	}
	// Hands-on quiz tasks are proven the same way, each in its own namespace.
	for _, t := range l.Tasks {
		err := Prove(ctx, cfg, l.AsLesson(t), func(p StepProof) {
			if report != nil {
				p.Step = "task:" + p.Step
				report(p)
			}
		})
		if err != nil {
			return fmt.Errorf("lesson %s task %s: %w", l.ID, t.ID, err)
		}
	}
	return nil
}

func proveStep(ctx context.Context, s *Session, i int, step lesson.Step) StepProof {
	p := StepProof{Step: step.ID}
	if err := s.Start(ctx, i); err != nil {
		p.Err = err
		return p
	}
	// Wait for the faults due now to strike, then for the checker to see them.
	want := len(step.Faults)
	// Faults wait (boundedly) for what they act on; they report their own
	// failure as a Problem well within this.
	const strikeWithin = 2 * time.Minute
	deadline := time.After(strikeWithin)
	for want > 0 {
		select {
		case e := <-s.Events():
			switch e.Kind {
			case EventFaultInjected:
				want--
			case EventProblem:
				p.Err = fmt.Errorf("%s", e.Message)
				return p
			}
		case <-deadline:
			p.Err = fmt.Errorf("the step's faults did not strike within %s", strikeWithin)
			return p
		case <-ctx.Done():
			p.Err = ctx.Err()
			return p
		}
	}
	// "Fails before the solution": within a few seconds the goals must show failing.
	settle := time.Now().Add(5 * time.Second)
	for time.Now().Before(settle) {
		if rs := s.Results(); len(rs) > 0 && !check.AllPass(rs) {
			p.FailedBefore, p.Before = true, rs
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !p.FailedBefore {
		p.Err = fmt.Errorf("the goals already pass before the solution: %s", describe(s.Results()))
		return p
	}
	start := time.Now()
	if err := s.ApplySolution(ctx); err != nil {
		p.Err = err
		return p
	}
	var hold time.Duration
	for _, g := range step.Goals {
		hold = max(hold, g.HoldDuration())
	}
	// Real containers start slower than simulated ones (images unpacked,
	// networks set up, on a busy laptop): they get longer to converge.
	settleFor := 30 * time.Second
	if s.cfg.RealContainers {
		settleFor = 2 * time.Minute
	}
	limit := time.Now().Add(settleFor + hold)
	for time.Now().Before(limit) {
		rs := s.Results()
		p.After = rs
		if check.AllPass(rs) {
			p.PassedAfter, p.SolutionTook = true, time.Since(start)
			return p
		}
		select {
		case <-ctx.Done():
			p.Err = ctx.Err()
			return p
		case <-time.After(100 * time.Millisecond):
		}
	}
	p.Err = fmt.Errorf("the goals do not pass after the reference solution: %s", describe(p.After))
	return p
}

func describe(rs []check.Result) string {
	out := ""
	for _, r := range rs {
		mark := "FAIL"
		if r.Pass {
			mark = "ok"
		}
		out += fmt.Sprintf("\n  [%s] %s: expected %s; actual %s", mark, r.ID, r.Expected, r.Actual)
	}
	return out
}

// Disruptive reports whether a lesson's faults reach beyond its namespace
// (a node going down), so that it must not be proven alongside others.
func Disruptive(l *lesson.Lesson) bool { return len(nodesTakenDown(l)) > 0 }

// nodesTakenDown lists the nodes the lesson's node-down faults stop.
func nodesTakenDown(l *lesson.Lesson) []string {
	var out []string
	for _, st := range l.Steps {
		for _, f := range st.Faults {
			if f.Type == "node-down" {
				out = append(out, f.Params["node"])
			}
		}
	}
	return out
}

// ProveAll proves lessons on one cluster: those that keep to their own
// namespace in parallel, then each disruptive one alone. It returns the
// error of every lesson that failed, by lesson id.
//
// At most parallel lessons run at once (0: all of them); real nodes on a
// small machine prove faster a few at a time.
func ProveAll(ctx context.Context, cfg Config, lessons []*lesson.Lesson, parallel int, report func(lessonID string, p StepProof)) map[string]error {
	var mu sync.Mutex
	failed := map[string]error{}
	prove := func(l *lesson.Lesson) {
		err := Prove(ctx, cfg, l, func(p StepProof) {
			if report != nil {
				mu.Lock()
				report(l.ID, p)
				mu.Unlock()
			}
		})
		if err != nil {
			mu.Lock()
			failed[l.ID] = err
			mu.Unlock()
		}
	}
	if parallel <= 0 {
		parallel = len(lessons)
	}
	slots := make(chan struct{}, max(1, parallel))
	var wg sync.WaitGroup
	for _, l := range lessons {
		if !Disruptive(l) {
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				prove(l)
			})
		}
	}
	wg.Wait()
	for _, l := range lessons {
		if Disruptive(l) {
			prove(l)
		}
	}
	return failed
}
