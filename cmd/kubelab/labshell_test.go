package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The lab shell (x on the lesson screen) in bash, in a real terminal: the
// learner's ~/.bashrc is read (and left as it was), the prompt names the
// lesson and its namespace, kubectl's completion is registered, and
// `kubectl edit` gets an installed editor, as the banner says.
func TestLabShellPromptCompletionAndEditor(t *testing.T) {
	t.Parallel()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash here")
	}
	editor := ""
	for _, e := range []string{"nano", "vim", "vi"} {
		if _, err := exec.LookPath(e); err == nil {
			editor = e
			break
		}
	}
	c := newCLI(t)
	unchanged := learnerHome(t, c)
	c.up()
	x := newTmux(t, c)
	// tmux sets PATH and SHELL in a new pane itself: env sets them after it.
	args := []string{"new-session", "-d", "-s", "sh", "-x", "200", "-y", "40", "/usr/bin/env", "-u", "KUBE_EDITOR", "-u", "EDITOR", "PATH=" + os.Getenv("PATH"), "SHELL=" + bash}
	for _, e := range c.env {
		if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "KUBELAB_") {
			args = append(args, e)
		}
	}
	x.run(append(args, c.bin)...)
	x.waitFor("sh", "What Kubernetes is")
	x.run("send-keys", "-t", "sh", "Enter")
	x.waitFor("sh", "there is no configmap named my-cluster")
	x.run("send-keys", "-t", "sh", "x")
	x.waitFor("sh", "Type exit (or Ctrl-D) to go back to the lesson.")
	prompt := "(kubelab cluster, ns lab-cluster) "
	x.waitFor("sh", prompt)
	banner := x.screen("sh")
	if editor != "" && !strings.Contains(banner, "  kubectl edit opens "+editor+"; to use another editor: export KUBE_EDITOR=") {
		t.Errorf("the banner does not say which editor kubectl edit opens and how to change it:\n%s", banner)
	}
	x.run("send-keys", "-t", "sh", `clear; echo "rc=$LEARNER_BASHRC editor=$KUBE_EDITOR"; complete -p kubectl; echo "d""one-$?"`, "Enter")
	x.waitFor("sh", "done-")
	s := x.screen("sh")
	for _, want := range []string{"rc=sourced ", "editor=" + editor + "\n", "-F __start_kubectl kubectl\n", "done-0", prompt} {
		if !strings.Contains(s, want) {
			t.Errorf("the lab shell lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "learner$ ") {
		t.Errorf("the learner's prompt stands in for the lab's:\n%s", s)
	}
	x.run("send-keys", "-t", "sh", "exit", "Enter")
	x.waitFor("sh", "there is no configmap named my-cluster")
	x.run("send-keys", "-t", "sh", "q")
	// bash keeps the learner's history where their own shell does: theirs, not kubelab's.
	_ = os.Remove(filepath.Join(c.home, ".bash_history"))
	unchanged()
}
