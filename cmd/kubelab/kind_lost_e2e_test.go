//go:build e2e

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/kind"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// make e2e-kind: a lesson open on kind while Docker loses the cluster.
// Every node container stopped (Docker restarted, the laptop rebooted):
// the lab notices, `kubelab status` says stopped, Up starts them again and
// the open step carries on and is solved. Every node container removed:
// Up says the cluster cannot come back (the TUI then asks), Recreate makes
// it afresh, the progress is kept and the step is set up again and solved.
func TestKindNodesStoppedThenRemoved(t *testing.T) {
	image := os.Getenv("KUBELAB_NODE_IMAGE")
	if image == "" {
		t.Fatal("KUBELAB_NODE_IMAGE names the node image; run `make e2e-kind`")
	}
	c := newCLI(t)
	c.env = append(c.env, "KUBELAB_BACKEND=kind", "KUBELAB_NODE_IMAGE="+image, "KUBELAB_APP_DIR="+filepath.Dir(c.bin))
	t.Cleanup(func() { c.run("down") })
	t.Setenv("KUBELAB_NODE_IMAGE", image)
	t.Setenv("KUBELAB_APP_DIR", filepath.Dir(c.bin))
	c.ok("up")

	p, err := kind.New(kind.WithStateDir(filepath.Join(c.home, "state", "kind")), kind.WithNodeImage(image), kind.WithAppDir(filepath.Dir(c.bin)))
	if err != nil {
		t.Fatal(err)
	}
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		t.Fatal(err)
	}
	l, err := host.FindLesson(all, "cluster")
	if err != nil {
		t.Fatal(err)
	}
	h, err := host.New(context.Background(), host.Config{Provider: p, Lessons: []*lesson.Lesson{l}, StateDir: filepath.Join(c.home, "state"), Kubelab: c.bin})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := h.Up(ctx, nil); err != nil {
		t.Fatal(err)
	}
	s, err := h.Open(l)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	solved := func(what string) {
		t.Helper()
		if err := s.ApplySolution(ctx); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		clustertest.Eventually(t, 2*time.Minute, what+": the step's goals pass", func(context.Context) (bool, string) {
			rs := s.Results()
			return len(rs) > 0 && check.AllPass(rs), describeResults(rs)
		})
	}
	nodes := func() []string {
		out, err := exec.Command("docker", "ps", "-a", "--filter", "label=io.x-k8s.kind.cluster="+kind.Name, "--format", "{{.Names}}").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.Fields(string(out))
	}
	detect := func(what string) time.Duration {
		t.Helper()
		began := time.Now()
		clustertest.Eventually(t, 30*time.Second, what+": the lab sees the cluster is not running", func(ctx context.Context) (bool, string) {
			st, problem := h.Health(ctx)
			return st != cluster.Running, string(st) + ": " + problem
		})
		return time.Since(began)
	}

	// Every node container stopped.
	if out, err := exec.Command("docker", append([]string{"stop"}, nodes()...)...).CombinedOutput(); err != nil {
		t.Fatalf("docker stop: %v\n%s", err, out)
	}
	took := detect("nodes stopped")
	if st := c.state(); st != "stopped" {
		t.Errorf("status with the node containers stopped: %q", st)
	}
	began := time.Now()
	if err := h.Up(ctx, nil); err != nil {
		t.Fatalf("Up with the node containers stopped: %v", err)
	}
	if err := h.Resync(ctx, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("kind, nodes stopped: detected in %s (after docker stop returned), back in %s", took.Round(10*time.Millisecond), time.Since(began).Round(100*time.Millisecond))
	solved("after the nodes were started again")
	before := h.Progress().Lessons[l.ID]
	if before == nil || before.Steps[l.Steps[0].ID].Finished.IsZero() {
		t.Fatalf("the solved step is not in the progress: %+v", before)
	}

	// Every node container removed: it cannot come back. Docker 20.10 under
	// load sometimes misses a container's exit event ("tried to kill
	// container, but did not receive an exit event"); asking again works.
	for try := 1; ; try++ {
		left := nodes()
		if len(left) == 0 {
			break
		}
		out, err := exec.Command("docker", append([]string{"rm", "-f", "-v"}, left...)...).CombinedOutput()
		if err == nil {
			break
		}
		if try == 3 {
			t.Fatalf("docker rm: %v\n%s", err, out)
		}
		time.Sleep(2 * time.Second)
	}
	took = detect("nodes removed")
	if err := h.Up(ctx, nil); !errors.Is(err, cluster.ErrGone) {
		t.Fatalf("Up with the nodes removed = %v, want ErrGone (recreate offered)", err)
	}
	if out, code := c.run("up"); code == 0 || !strings.Contains(out, "--recreate") {
		t.Errorf("kubelab up with the nodes removed: exit %d, want the sentence naming --recreate:\n%s", code, out)
	}
	began = time.Now()
	if err := h.Recreate(ctx, nil); err != nil {
		// Docker on this machine now and then loses track of a container
		// it has just removed; the sentence says to run it again, and a
		// learner would: so does the test, once, keeping what the log said.
		if m := regexp.MustCompile(`(/\S+kind\.log)`).FindString(err.Error()); m != "" {
			if data, rerr := os.ReadFile(m); rerr == nil {
				t.Logf("Recreate failed once: %v\nkind.log:\n%s", err, lastLines(string(data), 30))
			}
		}
		if err := h.Recreate(ctx, nil); err != nil {
			t.Fatalf("Recreate, twice: %v", err)
		}
	}
	if err := h.Resync(ctx, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("kind, nodes removed: detected in %s, recreated in %s", took.Round(10*time.Millisecond), time.Since(began).Round(100*time.Millisecond))
	after := h.Progress().Lessons[l.ID]
	if after == nil || !after.Steps[l.Steps[0].ID].Finished.Equal(before.Steps[l.Steps[0].ID].Finished) {
		t.Errorf("progress not kept across the recreate: before %+v, after %+v", before, after)
	}
	clustertest.Eventually(t, time.Minute, "the step starts over on the new cluster (its objects are gone)", func(context.Context) (bool, string) {
		rs := s.Results()
		return len(rs) > 0 && !check.AllPass(rs), describeResults(rs)
	})
	solved("on the recreated cluster")
}

func describeResults(rs []check.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.ID + ": " + r.Actual + "; ")
	}
	return b.String()
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
