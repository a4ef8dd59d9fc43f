package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// Opening 02-pods straight at "A container dies" (as n, n from the lesson
// list, or a resume on a new cluster, would) finds pod web made, its
// container killed, and the step solvable; reset leaves it solvable again.
func TestJumpingToADependentStepSetsItUpAndResetKeepsItSolvable(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	l := builtin(t, "pods")
	i, step, ok := l.Step("restart")
	if !ok || step.BuildsOn == "" {
		t.Fatalf("02-pods has no step restart that builds on another: %+v", step)
	}
	s := engine.Open(cfg, l)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	for round, start := range []func() error{
		func() error { return s.Start(ctx, i) },
		func() error { return s.Reset(ctx) },
	} {
		if err := start(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		sawFault := false
		deadline := time.After(time.Minute)
		for !sawFault {
			select {
			case e := <-s.Events():
				switch e.Kind {
				case engine.EventFaultInjected:
					sawFault = true
				case engine.EventProblem:
					t.Fatalf("round %d: %s", round, e.Message)
				}
			case <-deadline:
				t.Fatalf("round %d: the fault did not strike within a minute", round)
			}
		}
		if _, err := cfg.Client.CoreV1().Pods(s.Namespace()).Get(ctx, "web", metav1.GetOptions{}); err != nil {
			t.Fatalf("round %d: pod web was not set up: %v", round, err)
		}
		waitAll(t, s, false)
		if err := s.ApplySolution(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		waitAll(t, s, true)
	}
}

// A learner who went ahead keeps what they built: a step's catch-up leaves
// alone what already passes the earlier step's goals.
func TestCatchUpKeepsWhatTheLearnerBuilt(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	l := builtin(t, "pods")
	s := engine.Open(cfg, l)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// The learner's own pod: the right image, and a label of theirs.
	if out, err := cfg.Kubectl(ctx, s.Namespace(), []string{"run", "web", "--image=kubelab/app:v1", "--labels=run=web,mine=yes"}); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	waitAll(t, s, true)
	before, err := cfg.Client.CoreV1().Pods(s.Namespace()).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	i, _, _ := l.Step("where")
	if err := s.Start(ctx, i); err != nil {
		t.Fatal(err)
	}
	after, err := cfg.Client.CoreV1().Pods(s.Namespace()).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != before.UID || after.Labels["mine"] != "yes" {
		t.Fatalf("the learner's pod was replaced or changed: uid %s -> %s, labels %v", before.UID, after.UID, after.Labels)
	}
}

// The proofs of cases are honest: a "rejected" solution that in fact solves
// the step, and an "accepted" one that does not, each fail the proof and say why.
func TestCaseProofsFailWhenTheCaseIsWrong(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Settle = 10 * time.Second // the wrong accepted case waits this out
	l := builtin(t, "cluster")
	cp := *l
	cp.Steps = append([]lesson.Step(nil), l.Steps...)
	st := &cp.Steps[0]
	st.Accept = []lesson.Case{{Title: "three workers", Solution: lesson.Solution{Commands: []string{"kubectl create configmap my-cluster --from-literal=workers=3"}}}}
	st.Reject = []lesson.Case{{Title: "the right answer", CaughtBy: st.Goals[0].ID, Solution: st.Solution}}
	cp.Steps = cp.Steps[:1]
	var proofs []engine.StepProof
	began := time.Now()
	err := engine.Prove(context.Background(), cfg, &cp, func(p engine.StepProof) {
		t.Logf("+%s %s %s: %v", time.Since(began).Round(time.Second), p.Kind, p.Case, p.Err)
		proofs = append(proofs, p)
	})
	if err == nil {
		t.Fatal("a proof with a wrong accepted and a wrong rejected case passed")
	}
	found := map[engine.ProofKind]string{}
	for _, p := range proofs {
		if p.Err != nil {
			found[p.Kind] = p.Err.Error()
		}
		if p.Kind == engine.InOrder && p.Err != nil {
			t.Errorf("the reference solution's proof failed: %v", p.Err)
		}
	}
	if !strings.Contains(found[engine.Accepted], "do not pass") {
		t.Errorf("the wrong accepted case: %q, want it to say the goals do not pass", found[engine.Accepted])
	}
	if !strings.Contains(found[engine.Rejected], "passes every goal") {
		t.Errorf("the wrong rejected case: %q, want it to say it passes every goal", found[engine.Rejected])
	}
}

// A fault with nothing to act on says so in one sentence that says what to
// do, instead of a client error after a minute.
func TestAFaultThatCannotStrikeSaysSo(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	l := builtin(t, "pods")
	cp := *l
	cp.Steps = append([]lesson.Step(nil), l.Steps...)
	i, _, _ := cp.Step("restart")
	cp.Steps[i].BuildsOn = "" // nothing makes pod web
	s := engine.Open(cfg, &cp)
	ctx := context.Background()
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, i); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(45 * time.Second)
	for {
		select {
		case e := <-s.Events():
			if e.Kind == engine.EventFaultInjected {
				t.Fatalf("the fault struck with no pod to strike: %s", e.Message)
			}
			if e.Kind != engine.EventProblem {
				continue
			}
			for _, want := range []string{"no pod has the labels run=web", "press r"} {
				if !strings.Contains(e.Message, want) {
					t.Errorf("problem %q does not say %q", e.Message, want)
				}
			}
			if strings.Contains(e.Message, "rate") || strings.Count(e.Message, ". ") > 1 {
				t.Errorf("problem %q is not one plain sentence", e.Message)
			}
			return
		case <-deadline:
			t.Fatal("no problem was said within 45s")
		}
	}
}
