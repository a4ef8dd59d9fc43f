package kind

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	kindexec "sigs.k8s.io/kind/pkg/exec"
)

// DockerError is a failed Docker command (kubelab's or kind's) said as one
// sentence: what happened and what to do. The command and its own output
// are in the file Log, which the sentence names.
type DockerError struct {
	What string // what happened, e.g. "the Docker engine stopped answering while kubelab was listing kind's clusters"
	Fix  string // what to do
	Log  string
	Err  error
}

func (e *DockerError) Error() string {
	return fmt.Sprintf("%s: %s (the command's own output is in %s)", e.What, e.Fix, e.Log)
}

func (e *DockerError) Unwrap() error { return e.Err }

// engineState is what the Docker engine does now, as `docker info` finds it.
type engineState int

const (
	engineAnswers  engineState = iota
	engineAbsent               // no docker program
	engineDenied               // the socket refuses this user
	engineStopped              // nothing listens on the socket
	engineStarting             // the socket takes the call but nothing answers yet
	engineFails                // it answers with an error
)

// engineWait is how long `docker info` may take before the engine counts as
// not answering yet (a dockerd takes its socket before it serves).
var engineWait = 10 * time.Second

// probe runs `docker info` and says what the engine does; out is its output.
func probe(ctx context.Context) (st engineState, out string) {
	if _, err := exec.LookPath("docker"); err != nil {
		return engineAbsent, err.Error()
	}
	ctx, cancel := context.WithTimeout(ctx, engineWait)
	defer cancel()
	b, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{json .}}").CombinedOutput()
	out = string(b)
	switch {
	case err == nil:
		return engineAnswers, out
	case ctx.Err() != nil:
		return engineStarting, out
	}
	return classify(out), out
}

// classify reads a failed docker command's output: the words the docker CLI
// uses for a socket it may not open and for a socket nobody listens on.
func classify(out string) engineState {
	switch {
	case strings.Contains(out, "permission denied"):
		return engineDenied
	case strings.Contains(out, "Cannot connect") || strings.Contains(out, "Is the docker daemon running") ||
		strings.Contains(out, "connection refused") || strings.Contains(out, "no such file or directory"):
		return engineStopped
	}
	return engineFails
}

// The fixes, said once.
const (
	fixDenied  = "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again), or use the embedded cluster (`kubelab up --backend embedded`)"
	fixStopped = "start it (`sudo systemctl start docker`, or open Docker Desktop), then run `kubelab up` again"
	fixWait    = "wait until `docker info` answers, then run `kubelab up` again"
)

// explain turns the failure of a Docker command, run while kubelab was
// doing something (its words: "listing kind's clusters"), into a
// *DockerError: the raw error and output go to the log, the engine is asked
// how it is now, and the sentence says what happened and what to do. An
// error that is no failed command (kubelab's own sentences) is returned as
// it is.
func (p *Provider) explain(ctx context.Context, doing string, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	var de *DockerError
	var nie *NodeImageError
	var pe *PreflightError
	if errors.As(err, &de) || errors.As(err, &nie) || errors.As(err, &pe) {
		return err
	}
	var run *kindexec.RunError
	var exit *exec.ExitError
	if !errors.As(err, &run) && !errors.As(err, &exit) {
		return err
	}
	output := ""
	if run != nil {
		output = string(run.Output)
	}
	st, now := probe(ctx)
	p.log(fmt.Sprintf("%s: %v\n%s\n`docker info` now: %s", doing, err, output, strings.TrimSpace(now)))
	e := &DockerError{Log: p.LogPath(), Err: err}
	if st == engineAnswers { // the command's own words may still say why
		st = classify(output)
	}
	switch st {
	case engineDenied:
		e.What, e.Fix = "the Docker engine refused this user while kubelab was "+doing, fixDenied
	case engineStopped, engineAbsent:
		e.What, e.Fix = "the Docker engine stopped answering while kubelab was "+doing, fixStopped
	case engineStarting:
		e.What, e.Fix = "the Docker engine stopped answering in time while kubelab was "+doing+" (it may be starting or stopping)", fixWait
	default:
		e.What, e.Fix = "a Docker command failed while kubelab was "+doing+" (the engine may have been starting or stopping)", "run `kubelab up` again; if it fails again, the log says why"
	}
	return e
}
