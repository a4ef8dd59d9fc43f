package host_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/kind"
	"github.com/kubelab/kubelab/lab/host"
)

// Only kind's missing node image makes a chosen kind give way, whatever
// wraps the error; the line names the image and how to get kind later.
func TestFallbackOnlyForAMissingNodeImage(t *testing.T) {
	t.Parallel()
	nie := &kind.NodeImageError{Image: "kindest/node:v1.37.0", Log: "/l", Err: kind.ErrRegistryUnreachable}
	notice, ok := host.Fallback(fmt.Errorf("up: %w", nie))
	if !ok {
		t.Fatal("a wrapped *kind.NodeImageError: want a fallback")
	}
	for _, want := range []string{"Using the embedded cluster", "kindest/node:v1.37.0", "`docker pull kindest/node:v1.37.0` when online", "`kubelab up --backend kind`"} {
		if !strings.Contains(notice, want) {
			t.Errorf("notice lacks %q: %s", want, notice)
		}
	}
	if strings.Contains(notice, "\n") {
		t.Errorf("notice is more than one line: %q", notice)
	}
	for _, err := range []error{nil, errors.New("kind could not create the cluster: boom"), &kind.PreflightError{Reason: "r", Fix: "f"}, context.Canceled} {
		if _, ok := host.Fallback(err); ok {
			t.Errorf("%v: want no fallback", err)
		}
	}
}

// A fallback is remembered as one: the next choice is made afresh (here,
// without Docker, embedded again with the preflight's reason) while the
// embedded cluster does not run; a backend remembered by an Up that did
// not fall back is chosen as before.
func TestARememberedFallbackIsChosenAfresh(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("KUBELAB_BACKEND", "")
	dir := t.TempDir()
	if err := host.RememberFallback(dir); err != nil {
		t.Fatal(err)
	}
	if b := host.LastBackend(dir); b != cluster.Embedded {
		t.Errorf("after a fallback, the lab's backend is %q, want embedded", b)
	}
	if b, notice := host.ChooseBackend(context.Background(), dir); b != cluster.Embedded || !strings.Contains(notice, "no Docker engine found") {
		t.Errorf("a remembered fallback is not chosen afresh: backend %q, notice %q", b, notice)
	}
	if err := host.RememberBackend(dir, cluster.Embedded); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "backend-fallback")); !os.IsNotExist(err) {
		t.Errorf("an Up that did not fall back keeps the fallback mark: %v", err)
	}
	if b, notice := host.ChooseBackend(context.Background(), dir); b != cluster.Embedded || notice != "" {
		t.Errorf("embedded asked for: backend %q, notice %q (want no new choice)", b, notice)
	}
}
