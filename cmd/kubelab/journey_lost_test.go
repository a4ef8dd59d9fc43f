package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// In a real terminal: a lesson open, the embedded cluster process killed
// with kill -9. Within 5 s the screen says so and which key brings it back;
// the key restarts it on its data, the goals are live again and the step is
// solved with kubectl; the progress file has the step and what came before.
func TestJourneyClusterKilledAndBroughtBack(t *testing.T) {
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
	x.run(append(append([]string{"new-session", "-d", "-s", "lab", "-x", "100", "-y", "30"}, env...), c.bin)...)
	x.waitFor("lab", "What Kubernetes is")
	x.run("send-keys", "-t", "lab", "Enter")
	x.waitFor("lab", "there is no configmap named my-cluster")
	x.run("send-keys", "-t", "lab", "h")
	x.waitFor("lab", "Hint 1/3")

	if err := syscall.Kill(c.clusterPid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	// Stopped, or for the moment the dying process still holds its lock,
	// does not answer: either says which key brings it back.
	clustertest.Eventually(t, 5*time.Second, "the screen says the cluster is gone", func(context.Context) (bool, string) {
		s := x.screen("lab")
		return (strings.Contains(s, "The lab cluster stopped") || strings.Contains(s, "The lab cluster does not answer")) && strings.Contains(s, "press c"), s
	})
	t.Logf("detected %s after kill -9", time.Since(killed).Round(10*time.Millisecond))
	if s := x.screen("lab"); !strings.Contains(s, "cluster unreachable") || strings.Contains(s, "there is no configmap") {
		t.Errorf("the goals panel shows results of a cluster that is gone:\n%s", s)
	}

	pressed := time.Now()
	x.run("send-keys", "-t", "lab", "c")
	x.waitFor("lab", "the goals are live again")
	t.Logf("recovered %s after the key", time.Since(pressed).Round(10*time.Millisecond))
	x.waitFor("lab", "there is no configmap named my-cluster")
	// In another terminal, as the learner would, in the namespace the lab
	// kubeconfig follows.
	x.run(append(append([]string{"new-window", "-d", "-t", "lab"}, env...), "sh", "-c", c.bin+" kubectl create configmap my-cluster --from-literal=workers=2; sleep 60")...)
	// The goals panel, not the footer: a probe that times out under load may
	// put a cluster sentence over "Step complete!" for a moment.
	x.waitFor("lab:0", "Goals · all pass ✓")
	t.Logf("step solved after the restart")
	x.run("send-keys", "-t", "lab:0", "q")

	var prog struct {
		Lessons map[string]struct {
			Current string `json:"current"`
			Steps   map[string]struct {
				Finished   time.Time `json:"finished"`
				HintsShown int       `json:"hintsShown"`
			} `json:"steps"`
		} `json:"lessons"`
	}
	clustertest.Eventually(t, 10*time.Second, "the progress file records the step", func(context.Context) (bool, string) {
		data, err := os.ReadFile(filepath.Join(c.home, "state", "progress.json"))
		if err != nil || json.Unmarshal(data, &prog) != nil {
			return false, string(data)
		}
		return !prog.Lessons["cluster"].Steps["why"].Finished.IsZero(), string(data)
	})
	if l := prog.Lessons["cluster"]; l.Current != "why" || l.Steps["why"].HintsShown != 1 {
		t.Errorf("progress after the restart: current step %q (want why), hints shown %d (want the 1 shown before the kill)", l.Current, l.Steps["why"].HintsShown)
	}
}
