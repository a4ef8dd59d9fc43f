package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// copyLesson copies a built-in lesson folder into dir/name, editing its lesson.yaml with edit.
func copyLesson(t *testing.T, src, dir, name string, edit func(string) string) {
	t.Helper()
	dst := filepath.Join(dir, name)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "lessons", "builtin", src))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("..", "..", "lessons", "builtin", src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "lesson.yaml" {
			data = []byte(edit(string(data)))
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLintNamesFileAndLineAndFails(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	copyLesson(t, "02-pods", dir, "good", func(s string) string { return s })
	raw, err := os.ReadFile(filepath.Join(dir, "good", "lesson.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	steps := len(regexp.MustCompile(`(?m)^  - id: `).FindAll(bytes.Split(raw, []byte("\ntasks:"))[0], -1))
	if out := c.ok("lint", dir); !strings.Contains(out, fmt.Sprintf("1 lesson(s), %d step(s): no problems", steps)) {
		t.Errorf("lint of a good lesson: %s", out)
	}
	copyLesson(t, "08-rollback", dir, "bad", func(s string) string {
		s = strings.Replace(s, "id: rollback", "id: bad", 1)
		s = strings.Replace(s, "type: bad-image", "type: meteor-strike", 1)
		return strings.Replace(s, "    hints:\n", "    hint:\n", 1)
	})
	out, code := c.run("lint", dir)
	if code != 1 {
		t.Fatalf("lint exit %d, want 1:\n%s", code, out)
	}
	want := filepath.Join(dir, "bad", "lesson.yaml") + ":"
	if !strings.Contains(out, want) || !strings.Contains(out, `unknown field "hint"`) {
		t.Errorf("lint output lacks file:line problems:\n%s", out)
	}
	// In the same run as the unknown field: what the rest of the file has wrong.
	for _, also := range []string{"meteor-strike", "has no hints"} {
		if !strings.Contains(out, also) {
			t.Errorf("lint stopped at the unknown field; its output lacks %q:\n%s", also, out)
		}
	}
}

// A lesson whose reference solution does not satisfy its goals makes verify fail.
func TestVerifyFailsForABrokenLessonAndPassesAGoodOne(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	copyLesson(t, "02-pods", dir, "good", func(s string) string { return strings.Replace(s, "id: pods", "id: good", 1) })
	copyLesson(t, "02-pods", dir, "broken", func(s string) string {
		s = strings.Replace(s, "id: pods", "id: broken", 1)
		return strings.Replace(s, "kubectl run web --image=kubelab/app:v1", "kubectl run web --image=kubelab/app:v2", 1)
	})
	writeHollowJobLesson(t, filepath.Join(dir, "hollow"))
	out, code := c.run("verify", "-v", dir)
	if code != 1 {
		t.Fatalf("verify exit %d, want 1:\n%s", code, out)
	}
	// One row per proof: LESSON STEP PROOF FAILS-BEFORE AFTER TOOK.
	rows := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 6 && f[2] == "in" && f[3] == "order":
			rows[f[0]+"/"+f[1]] = f[4] + " " + f[5]
		case len(f) >= 4 && f[2] == "alone":
			rows[f[0]+"/"+f[1]+" alone"] = f[3] + " " + f[4]
		case len(f) >= 3 && f[2] == "rejected:":
			rows[f[0]+"/"+f[1]+" rejected"] = f[len(f)-2]
		}
	}
	for step, want := range map[string]string{
		"good/run": "yes passes", "good/where": "yes passes", "good/restart alone": "yes passes",
		"good/run rejected": "caught", "broken/run": "yes FAILS", "hollow/oom": "yes not",
	} {
		if rows[step] != want {
			t.Errorf("row %s = %q, want %q:\n%s", step, rows[step], want, out)
		}
	}
	for _, want := range []string{
		"1 of 3 lesson(s) proven on the embedded backend", "do not pass after the solution", "image kubelab/app:v2",
		"fault at +", "kubelab killed a container in 1 pod(s) with run=web",
		// The premise of the restart step, seen; the hollow lesson's, not.
		"premise killed seen at +", "premise job-failed NOT SEEN",
		"lesson hollow step oom: premise job-failed was not seen within 1m0s",
		// -v: each solution command and what it printed.
		"$ kubectl run web --image=kubelab/app:v1", "pod/web created",
		"kind: not proven (run kubelab verify --backend kind); declared by ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
}

// writeHollowJobLesson writes issue 17's hollow proof into dir: a Job meant
// to run out of memory is given enough, so its premise (the Job failed) is
// never seen, while its goals fail before the solution for another reason
// (ConfigMap report does not exist yet).
func writeHollowJobLesson(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"lesson.yaml": `format_version: 2
id: hollow
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
        title: ConfigMap report exists
        exists: {kind: configmap, name: report}
    premises:
      - id: job-failed
        title: The Job keeps failing until it reaches its backoffLimit
        condition: {object: job/migrate, type: Failed}
    hints:
      - text: kubectl describe job migrate
    solution:
      commands: ["kubectl create configmap report --from-literal=fixed=yes"]
`,
		"oom.md": "The migration keeps failing.\n",
		"migrate.yaml": `apiVersion: batch/v1
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
            limits: {memory: 1Gi}
`,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A lesson pack whose solution names another cluster's kubeconfig is refused
// by lint (at its line) and by verify, and the other cluster (a second real
// one here, someone's own cluster in life) is left as it was.
func TestHostileLessonIsRefusedAndTheOtherClusterUntouched(t *testing.T) {
	t.Parallel()
	other := newCLI(t)
	other.ok("up")
	kubeconfig := strings.TrimSpace(other.ok("kubeconfig"))
	hostile := "kubectl create namespace pwned-by-lesson --kubeconfig " + kubeconfig
	line := 0
	dir := t.TempDir()
	copyLesson(t, "02-pods", dir, "pwn", func(s string) string {
		s = strings.Replace(strings.Replace(s, "id: pods", "id: pwn", 1), "kubectl run web --image=kubelab/app:v1", hostile, 1)
		for i, l := range strings.Split(s, "\n") {
			if strings.Contains(l, hostile) {
				line = i + 1
			}
		}
		return s
	})
	c := newCLI(t)
	out, code := c.run("lint", dir)
	want := fmt.Sprintf("%s:%d: --kubeconfig is refused", filepath.Join(dir, "pwn", "lesson.yaml"), line)
	if code != 1 || !strings.Contains(out, want) {
		t.Errorf("lint: exit %d, want 1 with %q:\n%s", code, want, out)
	}
	out, code = c.run("verify", dir)
	if code != 1 || !strings.Contains(out, "--kubeconfig is refused") {
		t.Errorf("verify: exit %d, want 1 with the command refused:\n%s", code, out)
	}
	namespaces := other.ok("kubectl", "get", "namespaces", "-o", "name")
	if !strings.Contains(namespaces, "namespace/default") || strings.Contains(namespaces, "pwned-by-lesson") {
		t.Errorf("the other cluster's namespaces changed (or could not be read):\n%s", namespaces)
	}
}
