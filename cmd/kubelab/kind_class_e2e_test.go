//go:build e2e

package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
)

// make e2e-kind: a class on a real kind cluster; a learner joins from a
// state directory of their own and works through a lesson end to end with
// their own credentials (real containers, in their namespace for it), the
// steps a shared cluster cannot run refused with their sentence; the
// instructor reads the learner's published progress and deletes the class.
func TestKindClassLessonThroughLearnerCredentials(t *testing.T) {
	image := os.Getenv("KUBELAB_NODE_IMAGE")
	if image == "" {
		t.Fatal("KUBELAB_NODE_IMAGE names the node image; run `make e2e-kind`")
	}
	teacher := newCLI(t)
	appDir := filepath.Dir(teacher.bin)
	teacher.env = append(teacher.env, "KUBELAB_BACKEND=kind", "KUBELAB_NODE_IMAGE="+image, "KUBELAB_APP_DIR="+appDir)
	t.Cleanup(func() { teacher.run("down") })
	teacher.ok("up")
	lessonID := "pods"
	if only := os.Getenv("KUBELAB_E2E_CLASS_LESSON"); only != "" {
		lessonID = only
	}
	out := filepath.Join(t.TempDir(), "files")
	teacher.ok("class", "create", "e2e", "--learners", "2", "--lesson", lessonID, "--out", out)
	t.Cleanup(func() { teacher.run("class", "delete", "e2e") })

	learner := learnerCLI(t)
	file := filepath.Join(out, "learner-01.kubeconfig")
	if got := learner.ok("join", file); !strings.Contains(got, "Joined class e2e as learner-01") {
		t.Fatalf("join:\n%s", got)
	}
	ctx := context.Background()
	sp, err := shared.New(filepath.Join(learner.home, "state"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(ctx, host.Config{Provider: sp, StateDir: filepath.Join(learner.home, "state"), Kubelab: learner.bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Up(ctx, nil); err != nil {
		t.Fatal(err)
	}
	l, err := host.FindLesson(h.Lessons(), lessonID)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Open(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := class.LessonNamespace("e2e", "learner-01", lessonID); s.Namespace() != want {
		t.Fatalf("the lesson runs in %s, want %s", s.Namespace(), want)
	}
	var passed []string
	for i, st := range l.Steps {
		if why := engine.Needs(h.LessonsFS(), l, i); why != "" {
			if err := s.Start(ctx, i); err == nil || err.Error() != why {
				t.Fatalf("step %s needs %q but started: %v", st.ID, why, err)
			}
			t.Logf("step %s refused on the class cluster: %s", st.ID, why)
			continue
		}
		if err := s.Start(ctx, i); err != nil {
			t.Fatalf("start step %s as the learner: %v", st.ID, err)
		}
		if err := s.ApplySolution(ctx); err != nil {
			t.Fatalf("solve step %s as the learner: %v", st.ID, err)
		}
		deadline := time.After(3 * time.Minute)
	wait:
		for {
			select {
			case e := <-s.Events():
				if e.Kind == engine.EventStepPassed && e.Step == i {
					break wait
				}
			case <-deadline:
				t.Fatalf("step %s did not pass within 3 minutes on real containers: %+v", st.ID, s.Results())
			}
		}
		passed = append(passed, st.ID)
	}
	if len(passed) == 0 {
		t.Fatalf("no step of %s ran on the class cluster", lessonID)
	}
	// The instructor sees it, through the read-only watcher.
	admin, adminCfg, err := (&classTarget{kubeconfig: filepath.Join(teacher.home, "state", "kind", "kubeconfig")}).admin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wcfg, err := class.WatcherConfig(ctx, admin, adminCfg, "e2e", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	watcher, err := kubernetes.NewForConfig(wcfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		pub, ok, err := class.ReadPublished(ctx, watcher.CoreV1().ConfigMaps(class.HomeNamespace("e2e", "learner-01")))
		if err == nil && ok && slices.Equal(sorted(pub.Lessons[lessonID].Done), sorted(passed)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("published progress %+v (%v), want steps %v done", pub, err, passed)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
