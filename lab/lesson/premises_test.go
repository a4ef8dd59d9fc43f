package lesson_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// Premises are checked as goals are (a cel expression's fields against the
// kind's type too), each problem at its line, in the same run as the rest.
func TestPremisesAreLintedLikeGoals(t *testing.T) {
	t.Parallel()
	draft := `format_version: 2
id: jobs
title: Jobs
summary: A Job that fails.
concepts: [job]
minutes: 5
steps:
  - id: oom
    title: Out of memory
    text_file: oom.md
    goals:
      - id: done
        title: migrate has completed
        condition: {object: job/migrate, type: Complete}
    premises:
      - id: failed
        title: The Job reached its backoffLimit
        condition: {object: job/migrate, type: Failed}
      - id: failed
        title: The Job failed twice
        field: {object: job/migrate, path: '{.status.faild}', at_least: 2}
      - id: killed
        condition: {object: job/migrate, type: Completed}
      - id: oom-killed
        title: A pod of migrate was OOM-killed
        expect: a pod terminated with reason OOMKilled
        cel: {kind: pod, selector: job-name=migrate, expr: "object.status.?containerStatuses.orValue([]).exists(c, c.?state.?terminated.?reason.orValue('') == 'OOMKilled')"}
      - id: both
        title: names and selects
        expect: something
        cel: {kind: pod, name: x, selector: job-name=migrate, expr: "true"}
      - id: typo
        title: migrate succeeded
        expect: something
        cel: {kind: job, name: migrate, expr: "object.status.succeded >= 1"}
    hints:
      - text: kubectl describe job migrate
    solution:
      commands: ["kubectl delete job migrate"]
`
	fsys := fstest.MapFS{"jobs/lesson.yaml": {Data: []byte(draft)}, "jobs/oom.md": {Data: []byte("Fix it.")}}
	_, err := lesson.LoadAll(fsys, ".", engine.Validators())
	var ps lesson.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("lint found nothing: %v", err)
	}
	want := []struct {
		line int
		says string
	}{
		{19, `premise id "failed" is used twice`},
		{21, `did you mean "failed"?`},
		{22, `premise "killed" needs a title`},
		{23, `"Completed" is not a Job condition type`},
		{31, "name of the object it looks at, or a selector"},
		{35, `a Job's status has no field "succeded"; did you mean "succeeded"?`},
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || p.Line == w.line && strings.Contains(p.Msg, w.says)
		}
		if !found {
			t.Errorf("no problem at line %d saying %q", w.line, w.says)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(ps), len(want), fmt.Sprint(ps.Error()))
	}
}
