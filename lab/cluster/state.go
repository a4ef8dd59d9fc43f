package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"k8s.io/client-go/rest"
)

// State is what a learner is told of the lab cluster, in one word.
type State string

const (
	// Stopped: no cluster runs (never created, stopped or killed); `kubelab
	// up` starts it, on its existing data where there is some.
	Stopped State = "stopped"
	// Starting: an Up is bringing it up now.
	Starting State = "starting"
	// Unreachable: it should run, but its API server does not answer.
	Unreachable State = "unreachable"
	// Running: its API server answers.
	Running State = "running"
)

// State is the status in one word: starting while an Up runs, stopped when
// it does not run, unreachable when it runs but has a problem, else running.
func (s Status) State() State {
	switch {
	case s.Starting:
		return Starting
	case !s.Running && s.Unreachable:
		return Unreachable
	case !s.Running:
		return Stopped
	case s.Problem != "":
		return Unreachable
	}
	return Running
}

// ErrGone says a cluster kubelab created cannot be started again (its nodes
// were removed); only creating it afresh brings a cluster back. The
// learner's progress is kept either way: it lives outside the cluster.
var ErrGone = errors.New("the lab cluster's nodes were removed, so it cannot be started again; `kubelab up --recreate` creates it afresh (your progress is kept)")

// Probe asks the API server of cfg whether it is ready (/readyz), within
// timeout: nil when it answers ok. It is the health check a front end runs
// every second or so; it costs one small request.
func Probe(ctx context.Context, cfg *rest.Config, timeout time.Duration) error {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("the API server at %s does not answer: %w", cfg.Host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the API server at %s is not ready (%s): %s", cfg.Host, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
