package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// learnerCLI is a learner's kubelab on another machine: its own HOME and
// state, and no backend forced.
func learnerCLI(t *testing.T) *labCLI {
	t.Helper()
	c := newCLI(t)
	c.env = slices.DeleteFunc(c.env, func(e string) bool { return strings.HasPrefix(e, "KUBELAB_BACKEND=") })
	return c
}

func TestClassCreateJoinStatusDelete(t *testing.T) {
	t.Parallel()
	teacher := newCLI(t)
	teacher.up()
	out := filepath.Join(t.TempDir(), "files")
	got := teacher.ok("class", "create", "ws", "--learners", "3", "--lesson", "pods", "--out", out, "--duration", "2h")
	for _, l := range []string{"learner-01", "learner-02", "learner-03"} {
		if !strings.Contains(got, l+" ") || !strings.Contains(got, filepath.Join(out, l+".kubeconfig")) {
			t.Fatalf("class create does not name %s and its file:\n%s", l, got)
		}
	}
	if !strings.Contains(got, "kubeconfigs in "+out) {
		t.Fatalf("class create does not name the folder:\n%s", got)
	}
	// Again, with one learner more: only that one is added.
	got = teacher.ok("class", "create", "ws", "--learners", "4", "--lesson", "pods", "--out", out)
	if !strings.Contains(got, "learner-01           unchanged") || !strings.Contains(got, "learner-04           added") {
		t.Fatalf("second class create:\n%s", got)
	}
	file := filepath.Join(out, "learner-02.kubeconfig")
	before, _ := os.ReadFile(file)

	learner := learnerCLI(t)
	if got := learner.ok("join", file); !strings.Contains(got, "Joined class ws as learner-02") {
		t.Fatalf("join:\n%s", got)
	}
	if after, _ := os.ReadFile(file); string(after) != string(before) {
		t.Fatal("join changed the file it was given")
	}
	if got := learner.ok("status"); !strings.Contains(got, "shared") || !strings.Contains(got, "Class:") || !strings.Contains(got, "ws, learner learner-02") {
		t.Fatalf("status of a learner:\n%s", got)
	}
	// check runs as the learner, in their namespace for the lesson.
	if got, code := learner.run("check", "pods/run"); code != 1 || !strings.Contains(got, "(namespace lab-ws-learner-02-pods)") || !strings.Contains(got, "0 of 2 goals pass") {
		t.Fatalf("check on the class cluster: exit %d\n%s", code, got)
	}

	got = teacher.ok("class", "delete", "ws")
	if !strings.Contains(got, "Class ws is deleted: 9 namespaces") {
		t.Fatalf("class delete:\n%s", got)
	}
	// The learner's credentials are revoked with the class: one sentence.
	got, code := learner.run("join", file)
	if code == 0 || strings.Count(strings.TrimSpace(got), "\n") > 0 || !strings.Contains(got, "ask your instructor for a new kubeconfig file") || strings.Contains(got, "Unauthorized") || strings.Contains(got, "forbidden") {
		t.Fatalf("join with revoked credentials: exit %d\n%s", code, got)
	}
	log, _ := os.ReadFile(filepath.Join(learner.home, "state", "logs", "kubelab.log"))
	if !strings.Contains(string(log), "Unauthorized") && !strings.Contains(string(log), "forbidden") {
		t.Fatalf("the log keeps no raw error: %q", log)
	}
	if got := learner.ok("leave"); !strings.Contains(got, "Left class ws") {
		t.Fatalf("leave:\n%s", got)
	}
	if got := learner.ok("leave"); !strings.Contains(got, "joined no class") {
		t.Fatalf("leave again:\n%s", got)
	}
}
