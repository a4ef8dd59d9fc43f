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

// A first draft with many problems: lint (the loader with the engine's
// validators) names every one of them in one run, each at its line.
func TestLintFindsEveryProblemInOneRun(t *testing.T) {
	t.Parallel()
	draft := `format_version: 2
id: jobs
summary: Jobs that finish, fail and are retried.
concepts: [job]
minutes: five
colour: blue
steps:
  - id: migrate
    title: The migration
    text_file: migrate.md
    descripton: a typo
    goals:
      - id: done
        title: migrate has succeeded
        field: {object: job/migrate, path: '{.status.succeded}', at_least: 1}
        wait: 3s
      - id: complete
        title: migrate is complete
        condition: {object: job/migrate, type: Completed}
      - id: pods
        title: a pod of migrate has completed
        count: {kind: pod, selector: job-name=migrate, phase: Complete, at_least: 1}
      - id: phase
        title: the pod has completed
        field: {object: pod/migrate-x, path: '{.status.phase}', equals: Completed}
      - id: reason
        title: the pod was killed for its memory
        field: {object: pod/migrate-x, path: '{.status.containerStatuses[0].lastState.terminated.reason}', equals: OOMKilled}
      - id: ready
        title: the Job's condition, by filter
        field: {object: job/migrate, path: '{.status.conditions[?(@.type=="Done")].status}', equals: "True"}
      - id: image
        title: the image
        field: {object: job/migrate, path: '{.spec.template.spec.containers.image}', equals: kubelab/app:v1}
    hints:
      - text: kubectl describe job migrate
        tip: another typo
    solution:
      commands:
        - kubectl get pods -o name | xargs kubectl delete
        - kubectl create configmap migrate --from-literal=x={{ job/migrate .status.suceeded }}
`
	fsys := fstest.MapFS{
		"jobs/lesson.yaml": {Data: []byte(draft)},
		"jobs/migrate.md":  {Data: []byte("Fix the migration.")},
	}
	_, err := lesson.LoadAll(fsys, ".", engine.Validators())
	var ps lesson.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("lint found nothing: %v", err)
	}
	want := []struct {
		line int
		says string
	}{
		{1, "needs a title"},
		{5, "cannot unmarshal"},
		{6, `unknown field "colour"`},
		{11, `unknown field "descripton"`},
		{15, `has no field "succeded"; did you mean "succeeded"?`},
		{16, `unknown field "wait"`},
		{19, `"Completed" is not a Job condition type`},
		{22, `"Complete" is not a Pod phase`},
		{25, `"Completed" is not a Pod phase`},
		{31, `"Done" is not a Job condition type`},
		{34, "containers is a list"},
		{37, `unknown field "tip"`},
		{40, "shell syntax (|) is refused"},
		{41, `did you mean "succeeded"?`},
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || p.File == "jobs/lesson.yaml" && p.Line == w.line && strings.Contains(p.Msg, w.says)
		}
		if !found {
			t.Errorf("no problem at line %d saying %q", w.line, w.says)
		}
	}
	// The reason goal's path is right: nothing is said about it.
	for _, p := range ps {
		if p.Line == 28 {
			t.Errorf("a right path is reported: %s", p)
		}
		if p.Line == 5 && strings.Contains(p.Msg, "positive number") {
			t.Errorf("a value that did not decode is reported twice: %s", p)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(ps), len(want), fmt.Sprint(ps.Error()))
	}
}
