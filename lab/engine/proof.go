package engine

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

// ProofKind says what a StepProof proved.
type ProofKind int

const (
	// InOrder: the reference solution, the steps taken in order.
	InOrder ProofKind = iota
	// Alone: the reference solution, the step started on an empty namespace.
	Alone
	// Accepted: an accepted solution, from an empty namespace, passes.
	Accepted
	// Rejected: a rejected solution, from an empty namespace, is caught.
	Rejected
)

func (k ProofKind) String() string {
	return [...]string{"in order", "alone", "accepted", "rejected"}[k]
}

// StepProof is how one step fared in one proof.
type StepProof struct {
	Step         string
	Kind         ProofKind
	Case         string      // the accepted or rejected case's title
	Task         bool        // a hands-on quiz task, proven as a one-step lesson
	Faults       []FaultSeen // what the step's faults did, in order
	FailedBefore bool        // goals failed after setup and faults, before the solution
	Ran          bool        // the solution (or case) was applied
	PassedAfter  bool        // goals passed after the solution (Rejected: they must not)
	Caught       bool        // Rejected: the goal named by caught_by fails after it
	Before       []check.Result
	After        []check.Result // the last results seen
	SolutionTook time.Duration  // from applying the solution to every goal passing
	// Premises: what the step says must be seen before the solution, and
	// whether it was.
	Premises []PremiseSeen
	// Output is each solution command's output, in order.
	Output []CommandOutput
	Err    error
}

// FaultSeen is a fault's effect as a proof saw it.
type FaultSeen struct {
	After   time.Duration // since the step started
	Message string
}

// Proven reports whether the proof holds.
func (p StepProof) Proven() bool { return p.Err == nil }

// Prove runs every proof of lesson l and reports each: every step in order,
// as a learner would (start the step with its setup and faults, check its
// goals fail, apply the reference solution, check they pass); then each
// step on its own from an empty namespace, with the reference solution and
// with each accepted and rejected case; then its quiz tasks. It goes on past
// a failing proof and returns the first error of the in-order proof, or
// else the first error reported.
func Prove(ctx context.Context, cfg Config, l *lesson.Lesson, report func(StepProof)) error {
	var mu sync.Mutex
	// The error returned: the in-order proof's first, else the first other
	// one reported (the side-by-side proofs report in no fixed order).
	var first, firstInOrder error
	say := func(p StepProof) {
		mu.Lock()
		defer mu.Unlock()
		if p.Err != nil && p.Kind == InOrder && !p.Task && firstInOrder == nil {
			firstInOrder = fmt.Errorf("lesson %s step %s: %w", l.ID, p.Step, p.Err)
		}
		if p.Err != nil && first == nil {
			what := "step " + p.Step
			if p.Task {
				what = "task " + p.Step
			}
			if p.Kind != InOrder {
				what += " (" + p.Kind.String()
				if p.Case != "" {
					what += ": " + p.Case
				}
				what += ")"
			}
			first = fmt.Errorf("lesson %s %s: %w", l.ID, what, p.Err)
		}
		if report != nil {
			report(p)
		}
	}
	// Proofs start by emptying their namespace and end by emptying it and
	// asking for its deletion; waiting for a namespace to go takes seconds.
	done := func(s *Session) {
		_ = s.empty(context.WithoutCancel(ctx))
		s.deleteNamespaceLater(context.WithoutCancel(ctx))
	}
	inOrder := func() {
		s := Open(cfg, l)
		defer done(s)
		if err := s.empty(ctx); err != nil {
			say(StepProof{Step: l.Steps[0].ID, Err: err})
			return
		}
		for i := range l.Steps {
			say(proveStep(ctx, s, i, StepProof{Step: l.Steps[i].ID}, nil))
		}
	}
	// Each step alone, and each of its cases, from an empty namespace.
	type run struct {
		i int
		p StepProof
		k int // the case's index in the step's Accept or Reject (p.Kind says which)
	}
	var runs []run
	for i, st := range l.Steps {
		if i > 0 {
			runs = append(runs, run{i, StepProof{Step: st.ID, Kind: Alone}, -1})
		}
		if cfg.SkipCases {
			continue
		}
		for k := range st.Accept {
			runs = append(runs, run{i, StepProof{Step: st.ID, Kind: Accepted, Case: st.Accept[k].Title}, k})
		}
		for k := range st.Reject {
			runs = append(runs, run{i, StepProof{Step: st.ID, Kind: Rejected, Case: st.Reject[k].Title}, k})
		}
	}
	proveRun := func(s *Session, r run) {
		if err := s.empty(ctx); err != nil {
			r.p.Err = err
			say(r.p)
			return
		}
		// The case as the session has it: with the cluster's facts filled in.
		var c *lesson.Case
		switch st := &s.Lesson.Steps[r.i]; r.p.Kind {
		case Accepted:
			c = &st.Accept[r.k]
		case Rejected:
			c = &st.Reject[r.k]
		}
		say(proveStep(ctx, s, r.i, r.p, c))
	}
	if exclusive(cfg.Lessons, l) {
		// Cluster-wide objects with fixed names or numbers, or nodes taken
		// down: one proof at a time, in the lesson's namespace.
		inOrder()
		s := Open(cfg, l)
		for _, r := range runs {
			proveRun(s, r)
		}
		done(s)
	} else {
		// Side by side, each in a namespace of its own, which is emptied
		// at the end and left to the cluster to delete.
		var wg sync.WaitGroup
		wg.Go(inOrder)
		slots := make(chan struct{}, caseSlots)
		for n, r := range runs {
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				s := OpenIn(cfg, l, fmt.Sprintf("%s-%d", l.Namespace(), n+1))
				proveRun(s, r)
				done(s)
			})
		}
		wg.Wait()
	}
	// Hands-on quiz tasks are proven the same way, each in its own namespace.
	for _, t := range l.Tasks {
		tl := l.AsLesson(t)
		s := Open(cfg, tl)
		p := StepProof{Step: t.ID, Task: true}
		if err := s.empty(ctx); err != nil {
			p.Err = err
		} else {
			p = proveStep(ctx, s, 0, p, nil)
		}
		done(s)
		say(p)
	}
	if firstInOrder != nil {
		return firstInOrder
	}
	return first
}

// caseSlots bounds how many of one lesson's lone-step and case proofs run
// at once beside its in-order proof: all of them at once starve a 2-core
// machine's controllers, and rollouts stall.
const caseSlots = 3

// exclusive reports whether l's proofs must not run side by side: it takes
// nodes down, or its manifests make cluster-wide objects (PersistentVolumes,
// classes) or fix a NodePort, whose names and numbers would collide.
func exclusive(fsys fs.FS, l *lesson.Lesson) bool {
	if Disruptive(l) {
		return true
	}
	var files []string
	for _, st := range l.Steps {
		files = append(append(files, st.Setup...), st.Solution.Manifests...)
		for _, c := range append(append([]lesson.Case(nil), st.Accept...), st.Reject...) {
			files = append(files, c.Manifests...)
		}
	}
	for _, f := range files {
		data, err := l.ReadFile(fsys, f)
		if err != nil {
			continue
		}
		dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var obj unstructured.Unstructured
			if err := dec.Decode(&obj.Object); err != nil {
				break
			}
			if k, err := check.LookupResource(obj.GetKind()); err == nil && !k.Namespaced {
				return true
			}
			ports, _, _ := unstructured.NestedSlice(obj.Object, "spec", "ports")
			for _, p := range ports {
				if m, ok := p.(map[string]any); ok && m["nodePort"] != nil {
					return true
				}
			}
		}
	}
	return false
}

// proveStep starts step i of s and proves p: with c nil the reference
// solution, else case c (accepted, or rejected when p.Kind says so).
func proveStep(ctx context.Context, s *Session, i int, p StepProof, c *lesson.Case) StepProof {
	step := s.Lesson.Steps[i]
	began := time.Now()
	if err := s.Start(ctx, i); err != nil {
		p.Err = err
		return p
	}
	// What must be seen before the solution is watched from the start.
	var premises *premiseWatch
	if len(step.Premises) > 0 {
		w, err := watchPremises(ctx, s, step.Premises, began)
		if err != nil {
			p.Err = err
			return p
		}
		premises = w
		defer w.cancel()
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
				p.Faults = append(p.Faults, FaultSeen{After: e.At.Sub(began), Message: e.Message})
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
	var unseen error
	if premises != nil {
		p.Premises, unseen = premises.wait(ctx, s.settleFor())
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
	if unseen != nil {
		p.Err = unseen
		return p
	}
	if !p.FailedBefore {
		p.Err = fmt.Errorf("the goals already pass before the solution, so it was not run: %s", describe(s.Results()))
		return p
	}
	start := time.Now()
	what, sol := "solution of step "+step.ID, step.Solution
	if c != nil {
		what, sol = fmt.Sprintf("step %s, case %q", step.ID, c.Title), c.Solution
	}
	p.Ran = true
	err := s.applyTold(ctx, what, sol, func(o CommandOutput) { p.Output = append(p.Output, o) })
	if err != nil {
		p.Err = err
		return p
	}
	if p.Kind == Rejected {
		return judgeRejected(ctx, s, p, c.CaughtBy)
	}
	var hold time.Duration
	for _, g := range step.Goals {
		hold = max(hold, g.HoldDuration())
	}
	limit := time.Now().Add(s.settleFor() + hold)
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
	p.Err = fmt.Errorf("the goals do not pass after the solution: %s", describe(p.After))
	return p
}

// judgeRejected watches a rejected case's effect for a while: no moment may
// see every goal pass, and at the end goal caughtBy must fail.
func judgeRejected(ctx context.Context, s *Session, p StepProof, caughtBy string) StepProof {
	watch := 5 * time.Second
	if s.cfg.RealContainers {
		watch = 30 * time.Second
	}
	limit := time.Now().Add(watch)
	for {
		rs := s.Results()
		p.After = rs
		if check.AllPass(rs) {
			p.PassedAfter = true
			p.Err = fmt.Errorf("a rejected solution passes every goal: %s", describe(rs))
			return p
		}
		if !time.Now().Before(limit) {
			break
		}
		select {
		case <-ctx.Done():
			p.Err = ctx.Err()
			return p
		case <-time.After(100 * time.Millisecond):
		}
	}
	for _, r := range p.After {
		if r.ID == caughtBy {
			p.Caught = !r.Pass
		}
	}
	if !p.Caught {
		p.Err = fmt.Errorf("goal %s should catch this mistake and passes: %s", caughtBy, describe(p.After))
	}
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
