package fault

import (
	"context"
	"fmt"
	"time"
)

func newNodeDown(p params) (Fault, error) {
	node, err := p.node("node")
	if err != nil {
		return nil, err
	}
	d, err := p.duration("for", 0)
	if err != nil {
		return nil, err
	}
	return &nodeDown{node: node, for_: d}, nil
}

type nodeDown struct {
	node string
	for_ time.Duration
}

func (f *nodeDown) Describe() string {
	s := fmt.Sprintf("node %s went down", f.node)
	if f.for_ > 0 {
		s += fmt.Sprintf(" for %s", f.for_)
	}
	return s
}

func (f *nodeDown) Inject(ctx context.Context, env Env) error {
	if env.Machine == nil {
		return fmt.Errorf("this cluster cannot take nodes down")
	}
	if err := env.Machine.SetNodeRunning(ctx, f.node, false); err != nil {
		return err
	}
	env.struck()
	if f.for_ == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
	case <-time.After(f.for_):
	}
	// Bring it back even if the step ended meanwhile: never leave a node down.
	return env.Machine.SetNodeRunning(context.WithoutCancel(ctx), f.node, true)
}
