// Package hosttest builds a host.Lab over the test binary's shared embedded
// cluster (lab/cluster/clustertest), the way cmd/kubelab builds the real one:
//
//	func TestMain(m *testing.M) { clustertest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		h := hosttest.New(t, host.Config{})
//		s, err := h.Open(lesson)
//		...
//	}
package hosttest

import (
	"context"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/host"
)

// New returns a lab on the shared cluster, connected, with its state in a
// directory of t's own. cfg's Provider and (when empty) StateDir are filled
// in; its Kubelab is kept, so a test whose lessons run kubectl names the
// kubelab program (Kubelab below). Close runs when t ends.
func New(t testing.TB, cfg host.Config) *host.Lab {
	t.Helper()
	env := clustertest.Cluster(t)
	cfg.Provider = shared{env.Provider}
	if cfg.StateDir == "" {
		cfg.StateDir = t.TempDir()
	}
	h, err := host.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("close the lab: %v", err)
		}
	})
	return h
}

// Kubelab is the kubelab program ($KUBELAB_BINARY, or one built now).
func Kubelab(t testing.TB) string {
	t.Helper()
	bin, err := clustertest.Binary("KUBELAB_BINARY", "./cmd/kubelab", "kubelab")
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// shared is the shared cluster's provider; it is already up (clustertest
// brought it up), so Up only finds it, as Up on a running cluster does, and
// tests running in parallel do not queue behind the provider's start lock.
type shared struct{ cluster.Provider }

func (p shared) Up(ctx context.Context, progress func(cluster.Phase)) (cluster.Status, error) {
	if progress != nil {
		progress(cluster.Phase{Name: "find", Title: "Looking for the lab cluster"})
	}
	st, err := p.Status(ctx)
	st.Already = true
	return st, err
}
