package main

import (
	"context"

	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/kind"
)

// provider returns the lab cluster's provider for backend.
func provider(backend string, opts ...embedded.Option) (cluster.Provider, error) {
	switch cluster.Backend(backend) {
	case "", cluster.Embedded:
		return embedded.New(opts...)
	case cluster.Kind:
		return kind.New()
	default:
		return nil, fmt.Errorf("unknown backend %q; use `--backend kind` (real nodes, needs Docker) or `--backend embedded`", backend)
	}
}

// chosenBackend is the backend to use: $KUBELAB_BACKEND, else the one the
// last successful `kubelab up` used.
func chosenBackend() string {
	if b := os.Getenv("KUBELAB_BACKEND"); b != "" {
		return b
	}
	if dir, err := cluster.StateDir(); err == nil {
		if data, err := os.ReadFile(filepath.Join(dir, "backend")); err == nil {
			return strings.TrimSpace(string(data))
		}
	}
	return ""
}

// rememberBackend records the backend `kubelab up` used, for later commands.
func rememberBackend(b cluster.Backend) error {
	dir, err := cluster.StateDir()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, "backend"), []byte(string(b)+"\n"), 0o600)
}

// autoBackend picks kind where a Docker engine answers and embedded
// otherwise; notice says why, in one line, when it falls back.
func autoBackend(ctx context.Context) (backend cluster.Backend, notice string) {
	if b := chosenBackend(); b != "" {
		return cluster.Backend(b), ""
	}
	if err := kind.Preflight(ctx); err != nil {
		reason, _, _ := strings.Cut(err.Error(), ":")
		reason, _, _ = strings.Cut(reason, ";")
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

// labProvider is the provider of the cluster kubelab runs now.
func labProvider() (cluster.Provider, error) {
	return provider(chosenBackend())
}
