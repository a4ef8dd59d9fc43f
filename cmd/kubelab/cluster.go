package main

import (
	"fmt"
	"os"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// provider returns the lab cluster's provider for backend. Only the embedded
// backend exists so far; kind arrives with its own issue.
func provider(backend string, opts ...embedded.Option) (cluster.Provider, error) {
	switch cluster.Backend(backend) {
	case "", cluster.Embedded:
		return embedded.New(opts...)
	case cluster.Kind:
		return nil, fmt.Errorf("the kind backend is not available in this version of kubelab yet; use `--backend embedded`")
	default:
		return nil, fmt.Errorf("unknown backend %q; use `--backend embedded`", backend)
	}
}

// labProvider is the provider of the cluster kubelab runs now.
func labProvider() (cluster.Provider, error) {
	return provider(os.Getenv("KUBELAB_BACKEND"))
}
