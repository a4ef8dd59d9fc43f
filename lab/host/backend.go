package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/kind"
	"github.com/kubelab/kubelab/lab/cluster/shared"
)

// NewProvider returns the lab cluster's provider for backend ("": embedded).
func NewProvider(backend cluster.Backend, opts ...embedded.Option) (cluster.Provider, error) {
	switch backend {
	case "", cluster.Embedded:
		return embedded.New(opts...)
	case cluster.Kind:
		return kind.New()
	case cluster.Shared:
		return shared.New("")
	default:
		return nil, fmt.Errorf("unknown backend %q; use `--backend kind` (real nodes, needs Docker) or `--backend embedded`", backend)
	}
}

// LabProvider is the provider of the cluster kubelab runs now (LastBackend).
func LabProvider(stateDir string) (cluster.Provider, error) {
	return NewProvider(LastBackend(stateDir))
}

// LastBackend is the backend to use: $KUBELAB_BACKEND, else the one the last
// successful Up used (kept in stateDir; "": the state directory), else "".
func LastBackend(stateDir string) cluster.Backend {
	if b := os.Getenv("KUBELAB_BACKEND"); b != "" {
		return cluster.Backend(b)
	}
	return rememberedBackend(stateDir)
}

// rememberedBackend is the backend the last successful Up used ("": none).
func rememberedBackend(stateDir string) cluster.Backend {
	if dir, err := resolve(stateDir); err == nil {
		if data, err := os.ReadFile(filepath.Join(dir, "backend")); err == nil {
			return cluster.Backend(strings.TrimSpace(string(data)))
		}
	}
	return ""
}

// RememberBackend records the backend an Up used, for later commands.
func RememberBackend(stateDir string, b cluster.Backend) error {
	dir, err := resolve(stateDir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	forgetFallback(dir)
	return atomicfile.Write(filepath.Join(dir, "backend"), []byte(string(b)+"\n"), 0o600)
}

// ForgetBackend forgets the backend remembered (after `kubelab leave`), so
// the next Up chooses afresh.
func ForgetBackend(stateDir string) error {
	dir, err := resolve(stateDir)
	if err != nil {
		return err
	}
	forgetFallback(dir)
	if err := os.Remove(filepath.Join(dir, "backend")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// ChooseBackend is LastBackend when there is one, else kind where a Docker
// engine answers and embedded otherwise; notice says why, in one line, when
// it falls back. An embedded backend remembered only because kind's node
// image could not be had (RememberFallback) is chosen afresh while the
// embedded cluster does not run; kind's Up then says again (Fallback)
// whether the image can be had now.
func ChooseBackend(ctx context.Context, stateDir string) (backend cluster.Backend, notice string) {
	if env := os.Getenv("KUBELAB_BACKEND"); env != "" && env != string(cluster.Shared) {
		// A learner who joined a class and has $KUBELAB_BACKEND set in the
		// shell would otherwise work on a cluster of their own unawares.
		if rememberedBackend(stateDir) == cluster.Shared {
			return cluster.Backend(env), "Using the " + env + " cluster, as $KUBELAB_BACKEND says, not the class you joined: unset KUBELAB_BACKEND to work in the class."
		}
	}
	if b := LastBackend(stateDir); b != "" && !rememberedFallback(ctx, stateDir) {
		return b, ""
	}
	if err := kind.Preflight(ctx); err != nil {
		reason := err.Error()
		var pe *kind.PreflightError
		if errors.As(err, &pe) {
			reason = pe.Reason
		}
		return cluster.Embedded, "Using the embedded cluster (simulated nodes): " + lowerFirst(reason) + ". Real nodes need a running Docker engine."
	}
	return cluster.Kind, ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// resolve is dir, or the state directory when dir is "".
func resolve(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return cluster.StateDir()
}
