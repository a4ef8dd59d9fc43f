package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// tmux drives the real binary in a real terminal.
type tmux struct {
	t      testing.TB
	socket string
	env    []string
}

// newTmux gives a test its own tmux server (its own socket) with the lab
// CLI's environment, killed when the test ends.
func newTmux(t testing.TB, c *labCLI) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the terminal journey; `make test` installs it")
	}
	x := &tmux{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock"), env: append(c.env, "NO_COLOR=1", "TERM=xterm-256color")}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", x.socket, "kill-server").Run() })
	return x
}

func (x *tmux) run(args ...string) string {
	x.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-S", x.socket}, args...)...)
	cmd.Env = x.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (x *tmux) screen(target string) string { return x.run("capture-pane", "-p", "-t", target) }

func (x *tmux) waitFor(target, want string) {
	x.t.Helper()
	x.waitForAny(target, want)
}

// waitForAny waits until the screen shows one of wants.
func (x *tmux) waitForAny(target string, wants ...string) {
	x.t.Helper()
	clustertest.Eventually(x.t, 45*time.Second, fmt.Sprintf("the screen shows one of %q", wants), func(context.Context) (bool, string) {
		s := x.screen(target)
		for _, w := range wants {
			if strings.Contains(s, w) {
				return true, ""
			}
		}
		return false, s
	})
}

// The learner's journey through the real binary in tmux: open lesson 1, do
// its first step with kubectl in a second window, see the goal turn green,
// quit, and find the progress kept on the next start.
func TestJourneyInARealTerminal(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.up()
	x := newTmux(t, c)
	envArgs := func() []string {
		var a []string
		for _, e := range c.env {
			if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "KUBELAB_") {
				a = append(a, "-e", e)
			}
		}
		return a
	}
	x.run(append(append([]string{"new-session", "-d", "-s", "lab", "-x", "100", "-y", "30"}, envArgs()...), c.bin)...)
	x.waitFor("lab", "What Kubernetes is")
	x.run("send-keys", "-t", "lab", "Enter")
	x.waitFor("lab", "there is no configmap named my-cluster")

	x.run(append(append([]string{"new-window", "-d", "-t", "lab"}, envArgs()...), "sh", "-c", c.bin+" kubectl create configmap my-cluster --from-literal=workers=2; sleep 60")...)
	x.waitFor("lab:0", "Step complete!")
	x.waitFor("lab:0", "✓ ConfigMap my-cluster says how many worker nodes")

	x.run("send-keys", "-t", "lab:0", "q")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(x.run("list-panes", "-a", "-F", "#{pane_current_command}"), "kubelab") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	var prog struct {
		Lessons map[string]struct {
			Steps map[string]struct {
				Finished time.Time `json:"finished"`
			} `json:"steps"`
		} `json:"lessons"`
	}
	data, err := os.ReadFile(filepath.Join(c.home, "state", "progress.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &prog); err != nil {
		t.Fatal(err)
	}
	if prog.Lessons["cluster"].Steps["why"].Finished.IsZero() {
		t.Fatalf("step not recorded as finished:\n%s", data)
	}
	// Progress survives a restart: the lesson list shows it.
	x.run(append(append([]string{"new-window", "-t", "lab"}, envArgs()...), c.bin)...)
	raw, err := os.ReadFile(filepath.Join("..", "..", "lessons", "builtin", "01-cluster", "lesson.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	x.waitFor("lab", fmt.Sprintf("1/%d steps", len(regexp.MustCompile(`(?m)^  - id: `).FindAll(bytes.Split(raw, []byte("\ntasks:"))[0], -1))))
}
