package host

import (
	"context"
	"errors"
	"time"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/engine"
)

// probeTimeout bounds one health probe: a front end that probes every
// second notices a lost cluster within a few seconds.
const probeTimeout = 2 * time.Second

// Health says how the lab cluster is now, in one word, with the provider's
// sentence when it is not running: starting while an Up of this lab runs,
// running while its API server answers the lab's clients, else what the
// provider finds (stopped, starting, unreachable). A cluster that answers
// the provider but not the lab's clients (kind's port changed after a
// restart) is unreachable until Up connects again.
func (h *Lab) Health(ctx context.Context) (cluster.State, string) {
	if h.upping.Load() > 0 {
		return cluster.Starting, ""
	}
	c := h.Clients()
	if c != nil && cluster.Probe(ctx, c.Config, probeTimeout) == nil {
		return cluster.Running, ""
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st, err := h.prov().Status(ctx)
	if err != nil {
		return cluster.Unreachable, err.Error()
	}
	state := st.State()
	if state == cluster.Running {
		if c == nil {
			return cluster.Stopped, cluster.ErrNotRunning.Error() // not brought up by this lab yet
		}
		return cluster.Unreachable, "the lab cluster answers at a new address; bring it back to reconnect"
	}
	return state, st.Problem
}

// Recreate removes a cluster that cannot come back (cluster.ErrGone) and
// brings up a fresh one; the learner's progress is kept, being no part of
// the cluster.
func (h *Lab) Recreate(ctx context.Context, phase func(title string, elapsed time.Duration)) error {
	if err := h.prov().Down(ctx); err != nil {
		return err
	}
	return h.Up(ctx, phase)
}

// Resync points session s at the cluster as it is after Up brought it back
// (new clients: kind's port may have changed) and restarts its live checks;
// its step is set up again when its namespace is gone.
func (h *Lab) Resync(ctx context.Context, s *engine.Session) error {
	cfg, err := h.EngineConfig()
	if err != nil {
		return err
	}
	if s == nil {
		return errors.New("no lesson is open")
	}
	// A restarted cluster's kubeconfig is written anew: terminals that
	// follow the lesson's namespace follow it again.
	if err := setKubeconfigNamespace(h.prov().KubeconfigPath(), s.Namespace()); err != nil {
		return err
	}
	return s.Resync(ctx, cfg)
}
