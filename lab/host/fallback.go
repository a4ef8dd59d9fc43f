package host

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/kind"
)

// fallbackFile marks that the embedded backend remembered in "backend" was
// kubelab's fallback because kind's node image could not be had: the next
// choice tries kind again (unless the embedded cluster runs).
const fallbackFile = "backend-fallback"

// Fallback says whether an Up of kind that kubelab chose itself should give
// way to the embedded cluster: err is kind's *kind.NodeImageError. notice
// is the one line that says why and how to get kind later.
func Fallback(err error) (notice string, ok bool) {
	var nie *kind.NodeImageError
	if !errors.As(err, &nie) {
		return "", false
	}
	return "Using the embedded cluster (simulated nodes): kind's node image " + nie.Image + " is not in the Docker engine and cannot be pulled now; to use kind later, " + nie.Fix() + ", then run `kubelab up --backend kind`.", true
}

// RememberFallback records that the embedded cluster runs because kind's
// node image could not be had, so that kind is chosen again once it can.
func RememberFallback(stateDir string) error {
	if err := RememberBackend(stateDir, cluster.Embedded); err != nil {
		return err
	}
	dir, err := resolve(stateDir)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, fallbackFile), []byte("kind's node image could not be had\n"), 0o600)
}

// rememberedFallback says whether the remembered backend is a fallback
// that should be chosen afresh: it is, and the embedded cluster does not run.
func rememberedFallback(ctx context.Context, stateDir string) bool {
	if os.Getenv("KUBELAB_BACKEND") != "" {
		return false
	}
	dir, err := resolve(stateDir)
	if err != nil {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, fallbackFile)); err != nil {
		return false
	}
	p, err := NewProvider(cluster.Embedded, embedded.WithStateDir(filepath.Join(dir, "embedded")))
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := p.Status(ctx)
	return err == nil && !st.Running
}

// forgetFallback removes the fallback mark: the backend was asked for, or
// kind ran.
func forgetFallback(dir string) {
	_ = os.Remove(filepath.Join(dir, fallbackFile))
}
