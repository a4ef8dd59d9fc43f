package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// clusterPid is the embedded cluster process of c's lab.
func (c *labCLI) clusterPid() int {
	c.t.Helper()
	data, err := os.ReadFile(filepath.Join(c.home, "state", "embedded", "pid"))
	if err != nil {
		c.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		c.t.Fatal(err)
	}
	return pid
}

// state is the State line of `kubelab status`.
func (c *labCLI) state() string {
	c.t.Helper()
	out, _ := c.run("status")
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "State:"); ok {
			return strings.TrimSpace(v)
		}
	}
	c.t.Fatalf("status has no State line:\n%s", out)
	return ""
}

// The embedded cluster's four states as `kubelab status` says them, and
// kubelab's kubectl on a cluster that is gone: one sentence of kubelab's,
// not client-go's retries; `kubelab up` brings it back on its data.
func TestStatusSaysStoppedStartingUnreachableRunning(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	_, port := c.up()
	if st := c.state(); !strings.HasPrefix(st, "running") {
		t.Errorf("state after up: %q", st)
	}
	c.ok("kubectl", "create", "configmap", "kept", "--from-literal=a=b")

	// Paused (as a closed lid or a stuck machine leaves it): the process
	// is there, its API server does not answer.
	pid := c.clusterPid()
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	st := c.state()
	_ = syscall.Kill(pid, syscall.SIGCONT)
	if st != "unreachable" {
		t.Errorf("state of a paused cluster: %q", st)
	}

	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 10*time.Second, "status says stopped", func(context.Context) (bool, string) {
		st := c.state()
		return st == "stopped", st
	})
	out, code := c.run("kubectl", "get", "configmaps")
	if code == 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.HasPrefix(out, "kubelab: the lab cluster is stopped") ||
		!strings.Contains(out, "`kubelab up`") || strings.Contains(out, "memcache") {
		t.Errorf("kubectl on a killed cluster: exit %d, want kubelab's one sentence:\n%s", code, out)
	}

	// `kubelab up` again: starting while it runs, then running on the same data.
	up := exec.Command(c.bin, "up")
	up.Env = c.env
	var upOut bytes.Buffer
	up.Stdout, up.Stderr = &upOut, &upOut
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "up starts the process", func(context.Context) (bool, string) {
		return strings.Contains(upOut.String(), "Starting the cluster process"), upOut.String()
	})
	if st := c.state(); st != "starting" && !strings.HasPrefix(st, "running") {
		t.Errorf("state while up runs: %q", st)
	} else {
		t.Logf("state while up runs: %s", st)
	}
	if err := up.Wait(); err != nil {
		t.Fatalf("up after kill -9: %v\n%s", err, upOut.String())
	}
	if st := c.state(); !strings.HasPrefix(st, "running") {
		t.Errorf("state after up: %q", st)
	}
	if out := c.ok("kubectl", "get", "configmap", "kept", "-o", "jsonpath={.data.a}"); out != "b" {
		t.Errorf("the configmap made before the kill: %q", out)
	}
	if !strings.Contains(upOut.String(), "127.0.0.1:"+strconv.Itoa(port)) {
		t.Errorf("up did not restart on the same port %d:\n%s", port, upOut.String())
	}
}
