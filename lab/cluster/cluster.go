// Package cluster is kubelab's one way to bring up, inspect and take down a
// lab cluster, whichever backend runs it: a Provider per backend, and the
// facts every backend shares (state directory, progress phases, errors).
package cluster

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// Backend names a way of running the lab cluster.
type Backend string

const (
	// Embedded runs a real control plane in a kubelab process, with simulated nodes.
	Embedded Backend = "embedded"
	// Kind runs real nodes as containers in Docker or Podman.
	Kind Backend = "kind"
)

// Provider runs one lab cluster. Methods are safe to call in any order: Up on
// a running cluster reports it and succeeds, Down on none does nothing.
type Provider interface {
	Backend() Backend
	// Up starts the cluster, or restarts it on its existing data, and returns
	// once every node is Ready. Progress hears each phase as it begins.
	Up(ctx context.Context, progress func(Phase)) (Status, error)
	// Down stops the cluster and removes everything it kept.
	Down(ctx context.Context) error
	// Status says whether the cluster runs and how it is.
	Status(ctx context.Context) (Status, error)
	// KubeconfigPath is the lab-owned kubeconfig; never the user's own.
	KubeconfigPath() string
	// SetNodeRunning stops (false) or starts (true) a node's kubelet, for
	// self-healing lessons.
	SetNodeRunning(ctx context.Context, node string, running bool) error
}

// Phase is one step of bringing a cluster up.
type Phase struct {
	Name    string        // machine name, e.g. "etcd"
	Title   string        // for people, e.g. "Starting etcd"
	Elapsed time.Duration // since Up began
}

// Status describes a lab cluster.
type Status struct {
	Backend   Backend
	Running   bool
	Already   bool // Up found it running and did nothing
	APIServer string
	StartedAt time.Time
	Nodes     []Node
	// Problem, when set, says in one sentence what is wrong and what to do.
	Problem string
}

// Node is one node as the API server sees it.
type Node struct {
	Name  string
	Roles []string
	Ready bool
}

// Errors a learner can act on; each message says what to do.
var (
	ErrNotRunning    = errors.New("the lab cluster is not running; start it with `kubelab up`")
	ErrNotLabCluster = errors.New("this cluster was not created by kubelab; kubelab only changes clusters it created")
)

// StateDir is where kubelab keeps its state: $KUBELAB_STATE_DIR, else
// $XDG_STATE_HOME/kubelab, else ~/.local/state/kubelab.
func StateDir() (string, error) {
	if d := os.Getenv("KUBELAB_STATE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "kubelab"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("cannot find a home directory for kubelab's state; set KUBELAB_STATE_DIR")
	}
	return filepath.Join(home, ".local", "state", "kubelab"), nil
}
