package shared

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster"
)

// ErrNotJoined says this kubelab has joined no class.
var ErrNotJoined = errors.New("you have not joined a class: run `kubelab join FILE` with the kubeconfig your instructor gave you")

// ErrMachine refuses what a shared cluster does not let a learner do.
var ErrMachine = errors.New("on a shared class cluster, nodes and containers are not yours to stop or kill: this step needs a cluster of your own (`kubelab up`)")

// Provider is a learner's view of a class cluster.
type Provider struct {
	dir string
}

var _ cluster.Provider = (*Provider)(nil)

// New returns the shared provider whose copy lives in stateDir/shared ("":
// the state directory).
func New(stateDir string) (*Provider, error) {
	if stateDir == "" {
		d, err := cluster.StateDir()
		if err != nil {
			return nil, err
		}
		stateDir = d
	}
	return &Provider{dir: filepath.Join(stateDir, "shared")}, nil
}

// Backend is cluster.Shared.
func (p *Provider) Backend() cluster.Backend { return cluster.Shared }

// KubeconfigPath is kubelab's copy of the learner's kubeconfig.
func (p *Provider) KubeconfigPath() string { return filepath.Join(p.dir, "kubeconfig") }

// LogPath is kubelab's log in the state directory, which keeps the raw
// errors behind the sentences a learner is shown.
func (p *Provider) LogPath() string { return filepath.Join(filepath.Dir(p.dir), "logs", "kubelab.log") }

func (p *Provider) membershipPath() string { return filepath.Join(p.dir, "class.json") }

// Join checks the learner's kubeconfig file (reading their class info as
// them) and keeps a 0600 copy of it; file itself is only read.
func (p *Provider) Join(ctx context.Context, file string) (class.Membership, error) {
	m, _, err := class.Check(ctx, file)
	if err != nil {
		return class.Membership{}, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return class.Membership{}, err
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return class.Membership{}, err
	}
	js, err := json.Marshal(m)
	if err != nil {
		return class.Membership{}, err
	}
	if err := atomicfile.Write(p.KubeconfigPath(), data, 0o600); err != nil {
		return class.Membership{}, fmt.Errorf("keep a copy of the kubeconfig: %w", err)
	}
	if err := atomicfile.Write(p.membershipPath(), js, 0o600); err != nil {
		return class.Membership{}, err
	}
	return m, nil
}

// Membership is the class and learner joined, as Join last read them.
func (p *Provider) Membership() (class.Membership, error) {
	data, err := os.ReadFile(p.membershipPath())
	if errors.Is(err, os.ErrNotExist) {
		return class.Membership{}, ErrNotJoined
	}
	if err != nil {
		return class.Membership{}, err
	}
	var m class.Membership
	if err := json.Unmarshal(data, &m); err != nil {
		return class.Membership{}, fmt.Errorf("read %s: %w", p.membershipPath(), err)
	}
	return m, nil
}

// Config is the learner's client config.
func (p *Provider) Config() (*rest.Config, error) {
	if _, err := os.Stat(p.KubeconfigPath()); err != nil {
		return nil, ErrNotJoined
	}
	return clientcmd.BuildConfigFromFlags("", p.KubeconfigPath())
}

// Up checks that the class cluster answers and the credentials still work;
// it starts nothing.
func (p *Provider) Up(ctx context.Context, progress func(cluster.Phase)) (cluster.Status, error) {
	if progress != nil {
		progress(cluster.Phase{Name: "connect", Title: "Connecting to the class cluster"})
	}
	st, err := p.check(ctx)
	if err != nil {
		return st, err
	}
	st.Already = true
	return st, nil
}

// Status is Up's check, with what is wrong in Problem.
func (p *Provider) Status(ctx context.Context) (cluster.Status, error) {
	st, err := p.check(ctx)
	if errors.Is(err, ErrNotJoined) {
		return st, err
	}
	if err != nil {
		st.Problem = err.Error()
	}
	return st, nil
}

func (p *Provider) check(ctx context.Context) (cluster.Status, error) {
	st := cluster.Status{Backend: cluster.Shared}
	m, err := p.Membership()
	if err != nil {
		return st, err
	}
	cfg, err := p.Config()
	if err != nil {
		return st, err
	}
	st.APIServer = cfg.Host
	if _, err := class.CheckConfig(ctx, cfg, m.Home); err != nil {
		var ce *class.CredentialsError
		if errors.As(err, &ce) { // the learner reads one sentence; the log keeps the server's answer
			_ = cluster.AppendLog(p.LogPath(), "class cluster "+cfg.Host+": "+ce.Err.Error())
		} else {
			st.Unreachable = true
		}
		return st, err
	}
	st.Running = true
	return st, nil
}

// Down forgets the class: the copy of the kubeconfig goes; nothing on the
// cluster changes.
func (p *Provider) Down(context.Context) error { return os.RemoveAll(p.dir) }

// SetNodeRunning refuses: the nodes are the instructor's.
func (p *Provider) SetNodeRunning(context.Context, string, bool) error { return ErrMachine }

// KillContainer refuses: the nodes are the instructor's.
func (p *Provider) KillContainer(context.Context, string, string, string) error { return ErrMachine }
