package kind

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"time"

	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Preflight says in one sentence what stops kind from running here: a
// *PreflightError, or nil.
func Preflight(ctx context.Context) error {
	if _, err := exec.LookPath("docker"); err != nil {
		return &PreflightError{Reason: "no Docker engine found", Fix: "install Docker to run real nodes, or use the embedded cluster (`kubelab up --backend embedded`)"}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{json .}}").CombinedOutput()
	if err != nil {
		msg := string(out)
		switch {
		case strings.Contains(msg, "permission denied"):
			return &PreflightError{Reason: "this user may not use the Docker engine", Fix: "add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again)"}
		case strings.Contains(msg, "Cannot connect") || strings.Contains(msg, "Is the docker daemon running") || strings.Contains(msg, "connection refused"):
			return &PreflightError{Reason: "the Docker engine is installed but not running", Fix: "start it (`sudo systemctl start docker`, or open Docker Desktop)"}
		default:
			return &PreflightError{Reason: fmt.Sprintf("no answer from the Docker engine (%s)", strings.TrimSpace(firstLine(msg))), Fix: "check `docker info`"}
		}
	}
	var info struct {
		MemTotal int64  `json:"MemTotal"`
		Arch     string `json:"Architecture"`
	}
	_ = json.Unmarshal(out, &info)
	if info.MemTotal > 0 && info.MemTotal < 3<<30 {
		return &PreflightError{Reason: fmt.Sprintf("the Docker engine has %.1f GiB of memory; kind's %d nodes need at least 3 GiB", float64(info.MemTotal)/(1<<30), len(labnodes.All)), Fix: "give Docker more memory, or use `kubelab up --backend embedded`"}
	}
	return nil
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
