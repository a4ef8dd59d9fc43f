package engine_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

const migrateJob = `apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: kubelab/app:v1
          env:
            - {name: KUBELAB_MODE, value: job}
            - {name: KUBELAB_DURATION, value: 1h}
`

// A learner who fixed a Job the usual way (delete it, create it again fixed)
// can open the step again: its setup leaves their Job alone, as the API would
// not change it in place, and says so in events.jsonl. Reset brings back the
// setup's own Job.
func TestReopenedStepKeepsTheLearnersRemadeJob(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	store, err := progress.Open(filepath.Join(t.TempDir(), "progress.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Progress = store
	cfg.Lessons = fstest.MapFS{"j/migrate.yaml": {Data: []byte(migrateJob)}}
	l := &lesson.Lesson{FormatVersion: lesson.FormatVersion, ID: "reopen-job", Title: "Jobs", Dir: "j", Steps: []lesson.Step{{
		ID: "fix", Title: "fix", Text: "fix", Setup: []string{"migrate.yaml"},
		Goals: []lesson.Goal{{ID: "g", Title: "g", Exists: &lesson.ExistsGoal{Kind: "configmap", Name: "never"}}},
		Hints: []lesson.Hint{{Text: "h"}}, Solution: lesson.Solution{Commands: []string{"kubectl get jobs"}},
	}}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := engine.Open(cfg, l)
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	jobs := cfg.Client.BatchV1().Jobs(l.Namespace())
	mine, err := jobs.Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The learner's fix: delete the Job, create it again with another pod template.
	bg := metav1.DeletePropagationBackground
	if err := jobs.Delete(ctx, "migrate", metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "job migrate deleted", func(ctx context.Context) (bool, string) {
		_, err := jobs.Get(ctx, "migrate", metav1.GetOptions{})
		return apierrors.IsNotFound(err), err.Error()
	})
	fixed := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "migrate"}, Spec: *mine.Spec.DeepCopy()}
	fixed.Spec.Selector, fixed.Spec.ManualSelector = nil, nil
	delete(fixed.Spec.Template.Labels, "batch.kubernetes.io/controller-uid")
	delete(fixed.Spec.Template.Labels, "controller-uid")
	// What the setup set, the learner changed (as a memory limit a learner raises).
	fixed.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "KUBELAB_MODE", Value: "job"}, {Name: "KUBELAB_DURATION", Value: "1m"}}
	if _, err := jobs.Create(ctx, fixed, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The learner opens the lesson again.
	again := engine.Open(cfg, l)
	if err := again.Start(ctx, 0); err != nil {
		t.Fatalf("reopening the step after the learner remade its Job: %v", err)
	}
	got, err := jobs.Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasEnv(got, "1m") {
		t.Errorf("the learner's Job was changed by the setup: %+v", got.Spec.Template.Spec.Containers[0].Env)
	}
	events, err := os.ReadFile(store.EventsPath())
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, line := range strings.Split(strings.TrimSpace(string(events)), "\n") {
		var e progress.Event
		if json.Unmarshal([]byte(line), &e) == nil && e.Kind == engine.EventSetupKept && e.Detail == "job/migrate" && e.Step == "fix" {
			kept = true
		}
	}
	if !kept {
		t.Errorf("events.jsonl does not say the setup kept job/migrate:\n%s", events)
	}

	// Reset starts the step over: the setup's own Job.
	if err := again.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = jobs.Get(ctx, "migrate", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if hasEnv(got, "1m") {
		t.Errorf("after reset the learner's Job is still there, want the setup's")
	}
	again.Close()
}

// hasEnv says whether the Job's pods work for d (KUBELAB_DURATION).
func hasEnv(j *batchv1.Job, d string) bool {
	for _, e := range j.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "KUBELAB_DURATION" && e.Value == d {
			return true
		}
	}
	return false
}
