package shared_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/shared"
)

func TestNotJoinedSaysJoin(t *testing.T) {
	t.Parallel()
	p, err := shared.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Up(ctx, nil); !errors.Is(err, shared.ErrNotJoined) {
		t.Fatalf("up before join: %v", err)
	}
	if _, err := p.Status(ctx); !errors.Is(err, shared.ErrNotJoined) {
		t.Fatalf("status before join: %v", err)
	}
	if err := p.Down(ctx); err != nil {
		t.Fatalf("down before join: %v", err)
	}
	if _, err := p.Join(ctx, "/nonexistent/learner.kubeconfig"); err == nil {
		t.Fatal("joined with a file that does not exist")
	}
}

func TestTheMachineRefuses(t *testing.T) {
	t.Parallel()
	p, _ := shared.New(t.TempDir())
	var m cluster.Machine = p
	ctx := context.Background()
	if err := m.SetNodeRunning(ctx, "worker", false); !errors.Is(err, shared.ErrMachine) {
		t.Fatalf("stop a node: %v", err)
	}
	if err := m.KillContainer(ctx, "lab-x", "web", "web"); !errors.Is(err, shared.ErrMachine) {
		t.Fatalf("kill a container: %v", err)
	}
}
