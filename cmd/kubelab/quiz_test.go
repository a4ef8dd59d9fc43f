package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A quiz's hands-on task through the real binary in a real terminal: a
// learner who solves the task and loses the process (killed, nothing cleaned
// up) finds the task set up afresh on the next attempt, not solved already;
// quitting with the task open removes its namespace before kubelab exits.
func TestQuizTaskStartsAfreshAndQuitLeavesNoNamespace(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.up()
	x := newTmux(t, c)
	var env []string
	for _, e := range c.env {
		if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "KUBELAB_") {
			env = append(env, "-e", e)
		}
	}
	quiz := shellQuote(c.bin) + " quiz --topic replicaset --seed 1"
	// The replicaset topic has other tasks too: this one says its namespace.
	const ns = "lab-quiz-four-replicas"
	const task = "namespace " + ns + " · x opens a shell there"
	toTask := func(target string) {
		t.Helper()
		x.waitForAny(target, "question 1/", "unfinished")
		if strings.Contains(x.screen(target), "unfinished") {
			x.run("send-keys", "-t", target, "a") // abandon the attempt the lost terminal left
		}
		for i := 0; !strings.Contains(x.screen(target), task); i++ {
			if i == 20 {
				t.Fatalf("no hands-on task among the questions:\n%s", x.screen(target))
			}
			x.run("send-keys", "-t", target, "n")
			time.Sleep(200 * time.Millisecond)
		}
	}

	// First attempt: solve the task, then lose the process.
	pidFile := filepath.Join(t.TempDir(), "pid")
	x.run("new-session", "-d", "-s", "lab", "-x", "100", "-y", "30", "sleep", "600") // keeps the session when a window ends
	x.run(append(append([]string{"new-window", "-t", "lab", "-n", "one"}, env...),
		"sh", "-c", "echo $$ > "+shellQuote(pidFile)+"; exec "+quiz)...)
	toTask("lab:one")
	x.waitFor("lab:one", "✗ Four pods with app=web are Ready")
	// The learner's answer: a fourth pod with app=web, from a ReplicaSet of
	// its own, which setting the task up again would not touch.
	answer := filepath.Join(t.TempDir(), "answer.yaml")
	if err := os.WriteFile(answer, []byte(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: answer}
spec:
  replicas: 1
  selector: {matchLabels: {app: web, by: learner}}
  template:
    metadata: {labels: {app: web, by: learner}}
    spec: {containers: [{name: app, image: kubelab/app:v1}]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	c.ok("kubectl", "-n", ns, "apply", "-f", answer)
	x.waitFor("lab:one", "✓ Four pods with app=web are Ready")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("kubectl", "get", "namespace", ns, "-o", "name"); !strings.Contains(out, ns) {
		t.Fatalf("a killed kubelab cleaned up after all, so this test proves nothing: %s", out)
	}

	// Second attempt: the task is as its setup makes it, not as left.
	x.run(append(append([]string{"new-window", "-t", "lab", "-n", "two"}, env...), "sh", "-c", quiz+"; echo EXITED $?; sleep 600")...)
	toTask("lab:two")
	x.waitFor("lab:two", "✗ Four pods with app=web are Ready")
	if out, code := c.run("kubectl", "-n", ns, "get", "replicaset", "answer"); code == 0 {
		t.Errorf("the second attempt started with the first attempt's answer in place:\n%s", out)
	}

	// Quit with the task open: kubelab exits only once the namespace is gone.
	x.run("send-keys", "-t", "lab:two", "q")
	x.waitFor("lab:two", "EXITED 0")
	if out := c.ok("kubectl", "get", "namespaces", "-o", "name"); strings.Contains(out, "lab-quiz-") {
		t.Errorf("namespaces left after kubelab quiz exited:\n%s", out)
	}
}
