package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// Which built-in steps need more than the learner's namespace on a shared
// cluster, derived from their content: each reason must name what it needs.
func TestNeedsOfBuiltinSteps(t *testing.T) {
	t.Parallel()
	fsys := lessons.FS()
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var unavailable, available int
	seen := map[string]bool{}
	for _, l := range all {
		for i, st := range l.Steps {
			why := engine.Needs(fsys, l, i)
			if why == "" {
				available++
				continue
			}
			unavailable++
			t.Logf("%s/%s: %s", l.ID, st.ID, why)
			if !strings.HasSuffix(why, "(`kubelab up`).") || strings.Contains(why, "forbidden") {
				t.Errorf("%s/%s: %q is not one sentence that says what to do", l.ID, st.ID, why)
			}
			for _, f := range st.Faults {
				seen[f.Type] = true
			}
			for _, w := range []string{"node port", "PersistentVolume"} {
				if strings.Contains(why, w) {
					seen[w] = true
				}
			}
		}
	}
	for _, want := range []string{"node-down", "kill-container", "node port", "PersistentVolume"} {
		if !seen[want] {
			t.Errorf("no built-in step was found to need %s", want)
		}
	}
	if available < 3*unavailable {
		t.Errorf("%d steps available, %d not: most steps must run in a namespace", available, unavailable)
	}
	t.Logf("%d built-in steps run on a shared cluster, %d need more", available, unavailable)
}

// On a managed cluster that shows no control-plane node, the step that
// asks for its name says so in one sentence before it touches the cluster;
// the session's goals say the cluster's worker count.
func TestAStepNamingANodeTheClusterLacksIsUnavailable(t *testing.T) {
	t.Parallel()
	fsys := lessons.FS()
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var l *lesson.Lesson
	for _, x := range all {
		if x.ID == "cluster" {
			l = x
		}
	}
	managed := lesson.NodeFacts(map[string][]string{"gke-pool-1": nil, "gke-pool-2": nil})
	s := engine.Open(engine.Config{Lessons: fsys, Facts: managed}, l)
	cp, _, _ := l.Step("control-plane")
	err = s.Start(context.Background(), cp)
	var un *engine.UnavailableError
	if !errors.As(err, &un) || !strings.Contains(un.Why, "control-plane node") || !strings.HasSuffix(un.Why, "(`kubelab up`).") {
		t.Fatalf("start control-plane on a managed cluster: %v", err)
	}
	if got := *s.Lesson.Steps[0].Goals[0].Field.Equals; got != "2" {
		t.Errorf("the session's workers goal wants %q, want the cluster's 2", got)
	}
	// A cluster with no default StorageClass: the step that uses it.
	for _, x := range all {
		if x.ID == "storage" {
			dyn, _, _ := x.Step("dynamic")
			noClass := lesson.NodeFacts(map[string][]string{"w-1": nil})
			noClass[lesson.FactStorageClass] = ""
			err := engine.Open(engine.Config{Lessons: fsys, Facts: noClass}, x).Start(context.Background(), dyn)
			if !errors.As(err, &un) || !strings.Contains(un.Why, "default StorageClass") {
				t.Errorf("start storage/dynamic with no default StorageClass: %v", err)
			}
		}
	}
}
