// Package cluster is kubelab's one way to bring up, inspect and take down a
// lab cluster, whichever backend runs it: a Provider per backend, and the
// facts every backend shares (state directory, progress phases, errors).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Backend names a way of running the lab cluster.
type Backend string

const (
	// Embedded runs a real control plane in a kubelab process, with simulated nodes.
	Embedded Backend = "embedded"
	// Kind runs real nodes as containers in Docker or Podman.
	Kind Backend = "kind"
	// Shared is a cluster someone else runs for a class (kubelab join): the
	// learner's own namespaces on it, nothing more.
	Shared Backend = "shared"
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
	Machine
}

// Machine is what faults and lessons may do to a lab cluster below its API:
// stop a node, kill a container's process. Every Provider is one.
type Machine interface {
	// SetNodeRunning stops (false) or starts (true) a node's kubelet, for
	// self-healing lessons.
	SetNodeRunning(ctx context.Context, node string, running bool) error
	// KillContainer kills the process of one running container of a pod with
	// SIGKILL, as the node's kernel would; the kubelet then restarts it in
	// the same pod (exit code 137, restart count one higher), unless the
	// pod's restartPolicy is Never: then the pod fails.
	KillContainer(ctx context.Context, namespace, pod, container string) error
}

// RunningContainerID returns the runtime's ID of a pod's running container
// (without the "containerd://" scheme), or an error that says why there is none.
func RunningContainerID(pod *corev1.Pod, container string) (string, error) {
	for _, c := range pod.Status.ContainerStatuses {
		if c.Name != container {
			continue
		}
		if c.State.Running == nil || c.ContainerID == "" {
			return "", fmt.Errorf("container %s of pod %s is not running", container, pod.Name)
		}
		_, id, found := strings.Cut(c.ContainerID, "://")
		if !found {
			id = c.ContainerID
		}
		return id, nil
	}
	return "", fmt.Errorf("pod %s has no container %s", pod.Name, container)
}

// ProgressSeparator parts a phase's title from how far it is ("Pulling the
// node image X · 120 MB of 450 MB (26%), 3 of 9 layers"): a phase whose
// title starts as the one before it, up to this, says how far that one is.
const ProgressSeparator = " · "

// Phase is one step of bringing a cluster up.
type Phase struct {
	Name    string        // machine name, e.g. "etcd"
	Title   string        // for people, e.g. "Starting etcd"
	Elapsed time.Duration // since Up began
}

// Status describes a lab cluster.
type Status struct {
	Backend  Backend
	Running  bool
	Starting bool // an Up is bringing it up now (see State)
	// Unreachable: it should run but cannot be reached (Docker does not
	// answer, its nodes are paused); set when Running is false.
	Unreachable bool
	Already     bool // Up found it running and did nothing
	APIServer   string
	StartedAt   time.Time
	Nodes       []Node
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
