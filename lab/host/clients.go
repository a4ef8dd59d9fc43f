package host

import (
	"context"
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/cluster"
)

// Clients talk to a running lab cluster.
type Clients struct {
	Config  *rest.Config
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
}

// Connect returns clients for p's cluster if it runs, or an error that says
// what to do.
func Connect(ctx context.Context, p cluster.Provider) (*Clients, error) {
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Running {
		return nil, errors.New(st.Problem)
	}
	return ClientsFor(p)
}

// ClientsFor builds clients for a running cluster from its lab kubeconfig.
func ClientsFor(p cluster.Provider) (*Clients, error) {
	cfg, err := RestConfig(p.KubeconfigPath())
	if err != nil {
		return nil, fmt.Errorf("read the lab kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Client: cs, Dynamic: dyn}, nil
}

// RestConfig is a client config from a lab kubeconfig: no API warnings on
// the learner's screen, and room for a lesson's many watches.
func RestConfig(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

// LabConfig is a client config for p's cluster, or nil when it has no
// kubeconfig yet (never brought up).
func LabConfig(p cluster.Provider) *rest.Config {
	if _, err := os.Stat(p.KubeconfigPath()); err != nil {
		return nil
	}
	cfg, err := RestConfig(p.KubeconfigPath())
	if err != nil {
		return nil
	}
	return cfg
}
