//go:build e2e

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/kind"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// make e2e-kind: a real kind cluster from kubelab's offline node image,
// brought up by the real binary, the lesson images loaded into its nodes,
// every built-in lesson proven both ways on real containers (real crash
// loops, real OOM kills, real pod kills, a real node stopped), then down,
// leaving no container behind.
func TestKindUpProveAndDown(t *testing.T) {
	image := os.Getenv("KUBELAB_NODE_IMAGE")
	if image == "" {
		t.Fatal("KUBELAB_NODE_IMAGE names the node image; run `make e2e-kind`")
	}
	c := newCLI(t)
	appDir := filepath.Dir(c.bin)
	c.env = append(c.env, "KUBELAB_BACKEND=kind", "KUBELAB_NODE_IMAGE="+image, "KUBELAB_APP_DIR="+appDir)
	t.Cleanup(func() {
		c.run("down")
		out, _ := exec.Command("docker", "ps", "-a", "--filter", "label=io.x-k8s.kind.cluster="+kind.Name, "--format", "{{.Names}}").Output()
		if strings.TrimSpace(string(out)) != "" {
			t.Errorf("containers left behind after down: %s", out)
		}
	})
	began := time.Now()
	out := c.ok("up")
	t.Logf("kubelab up (kind) took %s:\n%s", time.Since(began).Round(100*time.Millisecond), out)
	for _, want := range []string{"Loading the lesson app images", "kind cluster running", "3/3 nodes Ready"} {
		if !strings.Contains(out, want) {
			t.Errorf("up output lacks %q", want)
		}
	}
	// The lesson images are in every node's containerd, no registry involved.
	for _, n := range []string{"kubelab-control-plane", "kubelab-worker", "kubelab-worker2"} {
		imgs, err := exec.Command("docker", "exec", n, "ctr", "-n", "k8s.io", "images", "ls", "-q").Output()
		if err != nil || !strings.Contains(string(imgs), "docker.io/kubelab/app:v1") || !strings.Contains(string(imgs), "docker.io/kubelab/app:broken") {
			t.Errorf("node %s images: %v\n%s", n, err, imgs)
		}
	}
	if again := c.ok("up"); !strings.Contains(again, "already running") {
		t.Errorf("second up:\n%s", again)
	}

	p, err := kind.New(kind.WithStateDir(filepath.Join(c.home, "state", "kind")))
	if err != nil {
		t.Fatal(err)
	}
	all, err := engine.LoadLessons(lessons.FS())
	if err != nil {
		t.Fatal(err)
	}
	// KUBELAB_E2E_LESSONS=pods,rollback proves only those (while working on them).
	if only := os.Getenv("KUBELAB_E2E_LESSONS"); only != "" {
		all = slices.DeleteFunc(all, func(l *lesson.Lesson) bool { return !slices.Contains(strings.Split(only, ","), l.ID) })
		t.Logf("proving only %s (KUBELAB_E2E_LESSONS)", only)
	}
	// The lab as kubelab builds it, on the cluster `kubelab up` brought up.
	h, err := host.New(context.Background(), host.Config{Provider: p, Lessons: all, StateDir: filepath.Join(c.home, "state"), Kubelab: c.bin})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	ecfg, err := h.EngineConfig()
	if err != nil {
		t.Fatal(err)
	}
	// Jobs on real kubelets, held to the same cases as the simulated nodes
	// (lab/cluster/embedded's TestJobsBehaveAsOnARealNode).
	t.Run("jobs", func(t *testing.T) {
		for _, jc := range clustertest.JobCases() {
			t.Run(jc.Name, func(t *testing.T) {
				t.Parallel()
				jc.Run(t, ecfg.Client, clustertest.NamespaceOn(t, ecfg.Client), p)
			})
		}
	})
	// In order and each step alone; the accepted and rejected cases are
	// proven by make test (each would cost real containers' minutes here).
	ecfg.SkipCases = true
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	proofStart := time.Now()
	failed := engine.ProveAll(ctx, ecfg, all, 3, func(id string, sp engine.StepProof) {
		t.Logf("kind: %s step %s (%s%s): failed before=%v passed after=%v caught=%v in %v", id, sp.Step, sp.Kind, caseTitle(sp.Case), sp.FailedBefore, sp.PassedAfter, sp.Caught, sp.SolutionTook.Round(10*time.Millisecond))
	})
	for _, l := range all {
		if err := failed[l.ID]; err != nil {
			t.Errorf("lesson %s on kind: %v", l.ID, err)
		}
	}
	t.Logf("proofs on kind took %s", time.Since(proofStart).Round(time.Second))
	proveTextExecs(t, lessons.FS(), ecfg, all)
	// kubelab verify --backend kind, as an author runs it: on the kind
	// cluster that runs (left running), one lesson with a premise.
	verifyStart := time.Now()
	out = c.ok("verify", "--backend", "kind", "pods")
	t.Logf("kubelab verify --backend kind pods took %s:\n%s", time.Since(verifyStart).Round(time.Second), out)
	for _, want := range []string{"Proving on kubelab's kind cluster, which runs", "premise killed seen at +",
		"1 of 1 lesson(s) proven on the kind backend", "embedded: not proven (run kubelab verify --backend embedded)"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --backend kind output lacks %q", want)
		}
	}
	if status := c.ok("status"); !strings.Contains(status, "running") {
		t.Errorf("verify --backend kind did not leave the running cluster running:\n%s", status)
	}
}

// BenchmarkKindUp compares `kubelab up` on kind with a bare kind create of
// the same configuration and node image, in one run (make bench-kind).
// kubelab adds the pod network routes, the lesson images and waiting for
// every node to be Ready.
func BenchmarkKindUp(b *testing.B) {
	image := os.Getenv("KUBELAB_NODE_IMAGE")
	if image == "" {
		b.Fatal("KUBELAB_NODE_IMAGE names the node image; run `make bench-kind`")
	}
	c := newCLI(b)
	c.env = append(c.env, "KUBELAB_BACKEND=kind", "KUBELAB_NODE_IMAGE="+image, "KUBELAB_APP_DIR="+filepath.Dir(c.bin))
	p, err := kind.New(kind.WithStateDir(b.TempDir()), kind.WithNodeImage(image))
	if err != nil {
		b.Fatal(err)
	}
	var bare, lab, load time.Duration
	for range b.N {
		t0 := time.Now()
		if err := p.CreateBare(); err != nil {
			b.Fatal(err)
		}
		bareTook := time.Since(t0)
		bare += bareTook
		if err := p.DeleteBare(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		out := c.ok("up")
		upTook := time.Since(t1)
		lab += upTook
		// One line per run (longer bench logs are cut): the phases' start times.
		var phases []string
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 2 && (f[0] == "•" || f[0] == "✓") {
				phases = append(phases, f[1]+"@"+f[len(f)-1])
			}
		}
		b.Logf("bare kind create %.1f s, kubelab up %.1f s, ratio %.3f; %s", bareTook.Seconds(), upTook.Seconds(), upTook.Seconds()/bareTook.Seconds(), strings.Join(phases, " "))
		t2 := time.Now()
		lp, _ := kind.New(kind.WithStateDir(filepath.Join(c.home, "state", "kind")), kind.WithNodeImage(image), kind.WithAppDir(filepath.Dir(c.bin)))
		if err := lp.LoadImages(context.Background()); err != nil {
			b.Fatal(err)
		}
		load += time.Since(t2)
		c.ok("down")
	}
	n := float64(b.N)
	b.ReportMetric(bare.Seconds()/n, "bare-kind-s")
	b.ReportMetric(lab.Seconds()/n, "kubelab-up-s")
	b.ReportMetric(lab.Seconds()/bare.Seconds(), "ratio")
	b.ReportMetric(load.Seconds()/n, "image-load-3-nodes-s")
}

func caseTitle(c string) string {
	if c == "" {
		return ""
	}
	return ": " + c
}
