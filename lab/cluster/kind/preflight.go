package kind

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"

	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Preflight says in one sentence what stops kind from running here: a
// *PreflightError, or nil.
func Preflight(ctx context.Context) error {
	st, out := probe(ctx)
	if err := preflightError(st, out); err != nil {
		err.output = out
		return err
	}
	var info struct {
		MemTotal int64  `json:"MemTotal"`
		Arch     string `json:"Architecture"`
	}
	_ = json.Unmarshal([]byte(out), &info)
	if info.MemTotal > 0 && info.MemTotal < 3<<30 {
		return &PreflightError{Reason: fmt.Sprintf("the Docker engine has %.1f GiB of memory; kind's %d nodes need at least 3 GiB", float64(info.MemTotal)/(1<<30), len(labnodes.All)), Fix: "give Docker more memory, or use `kubelab up --backend embedded`"}
	}
	return nil
}

// preflightError says why an engine in state st cannot run kind; nil when it answers.
func preflightError(st engineState, out string) *PreflightError {
	switch st {
	case engineAbsent:
		return &PreflightError{Reason: "no Docker engine found", Fix: "install Docker to run real nodes, or use the embedded cluster (`kubelab up --backend embedded`)"}
	case engineDenied:
		return &PreflightError{Reason: "this user may not use the Docker engine", Fix: fixDenied}
	case engineStopped:
		return &PreflightError{Reason: "the Docker engine is installed but not running", Fix: fixStopped}
	case engineStarting:
		return &PreflightError{Reason: "the Docker engine does not answer yet (it may still be starting)", Fix: fixWait}
	case engineFails:
		return &PreflightError{Reason: fmt.Sprintf("no answer from the Docker engine (%s)", strings.TrimSpace(firstLine(out))), Fix: "check `docker info`"}
	}
	return nil
}

// preflight is Preflight for Up: docker's own words go to the log, which
// the error names.
func (p *Provider) preflight(ctx context.Context) error {
	err := Preflight(ctx)
	var pe *PreflightError
	if errors.As(err, &pe) {
		p.log("docker info: " + pe.Reason + "\n" + pe.output)
		pe.Log = p.LogPath()
	}
	return err
}

// checkNodePorts says which of NodePorts is taken on 127.0.0.1: kind would
// fail to map it half-way through creating the cluster.
func checkNodePorts() error {
	for _, port := range NodePorts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			return fmt.Errorf("port %d on 127.0.0.1 is in use; kubelab maps NodePort lessons there: stop what uses it (`ss -ltnp 'sport = :%d'`)", port, port)
		}
		_ = ln.Close()
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
