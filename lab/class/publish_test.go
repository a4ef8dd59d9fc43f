package class_test

import (
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/class"
)

func TestGoalClockKeepsSinceWhileAGoalStays(t *testing.T) {
	t.Parallel()
	var c class.GoalClock
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	g := c.Goals("pods/run", []class.Goal{{Name: "a"}, {Name: "b"}}, t0)
	if !g[0].Since.Equal(t0) || !g[1].Since.Equal(t0) {
		t.Fatalf("first sight: %+v", g)
	}
	t1 := t0.Add(time.Minute)
	g = c.Goals("pods/run", []class.Goal{{Name: "a"}, {Name: "b", Passing: true}}, t1)
	if !g[0].Since.Equal(t0) || !g[1].Since.Equal(t1) {
		t.Fatalf("a still failing since t0, b passing since t1: %+v", g)
	}
	t2 := t1.Add(time.Minute)
	g = c.Goals("pods/where", []class.Goal{{Name: "a"}}, t2)
	if !g[0].Since.Equal(t2) {
		t.Fatalf("a new step starts the clock over: %+v", g)
	}
}

func TestRosterAndLearners(t *testing.T) {
	t.Parallel()
	got, err := class.ParseRoster("# room 2\nann\n\n bob \n")
	if err != nil || len(got) != 2 || got[0] != "ann" || got[1] != "bob" {
		t.Fatalf("roster = %v, %v", got, err)
	}
	for _, bad := range []string{"ann\nann\n", "Ann\n", "# nobody\n"} {
		if _, err := class.ParseRoster(bad); err == nil {
			t.Errorf("roster %q was taken", bad)
		}
	}
	if l := class.Learners(12); len(l) != 12 || l[0] != "learner-01" || l[11] != "learner-12" {
		t.Fatalf("Learners(12) = %v", l)
	}
	if l := class.Learners(100); l[0] != "learner-001" {
		t.Fatalf("Learners(100)[0] = %s", l[0])
	}
}
