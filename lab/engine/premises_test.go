package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// jobsLesson is an instructor's Jobs lesson: Job migrate runs out of memory
// and is retried up to its backoffLimit; the learner gives it room and files
// a report (a ConfigMap). Its premise: the Job did fail.
const jobsLesson = `format_version: 2
id: ID
title: A Job that runs out of memory
summary: Fix a Job that the kernel kills for its memory.
concepts: [job]
minutes: 5
steps:
  - id: oom
    title: Out of memory
    text_file: oom.md
    setup: [migrate.yaml]
    goals:
      - id: done
        title: migrate has completed
        condition: {object: job/migrate, type: Complete}
      - id: report
        title: ConfigMap report says the migration is fixed
        exists: {kind: configmap, name: report}
    premises:
      - id: job-failed
        title: The Job keeps failing until it reaches its backoffLimit
        condition: {object: job/migrate, type: Failed}
      - id: oom-killed
        title: A pod of migrate was OOM-killed
        expect: "a pod of migrate terminated with reason OOMKilled"
        cel:
          kind: pod
          selector: job-name=migrate
          expr: "object.status.?containerStatuses.orValue([]).exists(c, c.?state.?terminated.?reason.orValue('') == 'OOMKilled')"
    hints:
      - text: kubectl describe pod -l job-name=migrate
    solution:
      commands:
        - kubectl delete job migrate
        - kubectl create configmap report --from-literal=fixed=yes
      manifests: [fixed.yaml]
`

const migrateYAML = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: app
          image: kubelab/app:v1
          env:
            - {name: KUBELAB_MODE, value: job}
            - {name: KUBELAB_MEMORY, value: 300Mi}
          resources:
            limits: {memory: LIMIT}
`

// loadJobsLesson loads jobsLesson as lint would, with the setup Job given
// limit of memory.
func loadJobsLesson(t *testing.T, id, limit string) (*lesson.Lesson, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{
		id + "/lesson.yaml":  {Data: []byte(strings.Replace(jobsLesson, "ID", id, 1))},
		id + "/oom.md":       {Data: []byte("The migration keeps failing.")},
		id + "/migrate.yaml": {Data: []byte(strings.Replace(migrateYAML, "LIMIT", limit, 1))},
		id + "/fixed.yaml":   {Data: []byte(strings.Replace(migrateYAML, "LIMIT", "512Mi", 1))},
	}
	all, err := lesson.LoadAll(fsys, ".", engine.Validators())
	if err != nil {
		t.Fatalf("the lesson does not pass lint: %v", err)
	}
	return all[0], fsys
}

// The hollow proof of issue 17: the setup Job is given enough memory, so
// "the Job keeps failing" never happens, and the goals fail before the
// solution anyway (ConfigMap report does not exist yet). Without premises
// that was proven; now the proof fails, in one sentence naming the premise.
// The same lesson whose Job does run out of memory is proven, its premises
// seen.
func TestAPremiseNotSeenFailsTheProof(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		id, limit string
		proven    bool
	}{
		{"premise-hollow", "1Gi", false},
		{"premise-happens", "128Mi", true},
	} {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(t)
			l, fsys := loadJobsLesson(t, c.id, c.limit)
			cfg.Lessons = fsys
			cfg.Settle = 20 * time.Second // how long a premise is waited for
			cfg.SkipCases = true
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var proofs []engine.StepProof
			err := engine.Prove(ctx, cfg, l, func(p engine.StepProof) { proofs = append(proofs, p) })
			if len(proofs) != 1 {
				t.Fatalf("%d proofs, want the in-order one: %+v", len(proofs), proofs)
			}
			p := proofs[0]
			if len(p.Premises) != 2 {
				t.Fatalf("premises seen: %+v, want both reported", p.Premises)
			}
			if c.proven {
				if err != nil {
					t.Fatalf("a lesson whose scenario happens is not proven: %v", err)
				}
				for _, pr := range p.Premises {
					if !pr.Seen {
						t.Errorf("premise %s not seen in a proven lesson: %+v", pr.ID, pr)
					}
				}
				if !p.Ran || !p.PassedAfter {
					t.Errorf("the solution did not run and pass: %+v", p)
				}
				return
			}
			if err == nil {
				t.Fatalf("the hollow proof passed: %+v", p)
			}
			msg := err.Error()
			t.Log(msg)
			for _, want := range []string{"premise job-failed", "The Job keeps failing", "was not seen"} {
				if !strings.Contains(msg, want) {
					t.Errorf("the error %q does not say %q", msg, want)
				}
			}
			if strings.Count(strings.TrimSuffix(msg, "."), ". ") > 0 || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("the error is not one sentence: %q", msg)
			}
			if p.Ran {
				t.Errorf("the solution ran although the scenario never happened")
			}
			if !p.FailedBefore {
				t.Errorf("the goals were not seen failing before the solution (they do: no report): %+v", p.Before)
			}
		})
	}
}
