package kind

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Name is the kind cluster kubelab creates.
const Name = "kubelab"

// Provider is the kind backend.
type Provider struct {
	dir       string
	nodeImage string
	appDir    string
	engine    string // docker (podman is detected by kind itself)
}

// Option configures a Provider.
type Option func(*Provider)

// WithStateDir keeps the kubeconfig and marker in dir (default <state>/kind).
func WithStateDir(dir string) Option { return func(p *Provider) { p.dir = dir } }

// WithNodeImage picks the node image (default: kind's own default image).
func WithNodeImage(image string) Option { return func(p *Provider) { p.nodeImage = image } }

// WithAppDir is where kubelab-app-linux-<arch> programs are (default: next
// to the running program, then $KUBELAB_APP_DIR).
func WithAppDir(dir string) Option { return func(p *Provider) { p.appDir = dir } }

// New returns the kind provider.
func New(opts ...Option) (*Provider, error) {
	p := &Provider{engine: "docker"}
	for _, o := range opts {
		o(p)
	}
	if p.dir == "" {
		state, err := cluster.StateDir()
		if err != nil {
			return nil, err
		}
		p.dir = filepath.Join(state, "kind")
	}
	if p.nodeImage == "" {
		p.nodeImage = os.Getenv("KUBELAB_NODE_IMAGE")
	}
	if p.appDir == "" {
		p.appDir = os.Getenv("KUBELAB_APP_DIR")
	}
	if p.appDir == "" {
		if self, err := os.Executable(); err == nil {
			p.appDir = filepath.Dir(self)
		}
	}
	return p, nil
}

func (p *Provider) Backend() cluster.Backend { return cluster.Kind }

// KubeconfigPath is the lab's own kubeconfig.
func (p *Provider) KubeconfigPath() string { return filepath.Join(p.dir, "kubeconfig") }

func (p *Provider) markerPath() string { return filepath.Join(p.dir, "cluster.json") }

// created reports whether kubelab created a cluster it has not deleted
// since (its marker is kept until Down).
func (p *Provider) created() bool {
	_, err := os.Stat(p.markerPath())
	return err == nil
}

func (p *Provider) kind(log kindlog.Logger) *kindcluster.Provider {
	if log == nil {
		log = kindlog.NoopLogger{}
	}
	return kindcluster.NewProvider(kindcluster.ProviderWithDocker(), kindcluster.ProviderWithLogger(log))
}

func (p *Provider) client() (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", p.KubeconfigPath())
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// marker is what kubelab keeps about the cluster it created.
type marker struct {
	Name      string    `json:"name"`
	NodeImage string    `json:"nodeImage"`
	Created   time.Time `json:"created"`
}

func (p *Provider) exists(kp *kindcluster.Provider) (bool, error) {
	names, err := kp.List()
	if err != nil {
		return false, err
	}
	return slices.Contains(names, Name), nil
}

// owned reports whether the cluster named kubelab is kubelab's: kubelab
// wrote its marker when it created it (kind's ListNodes already keeps to
// the containers kind labelled with the cluster's name).
func (p *Provider) owned(kp *kindcluster.Provider) (bool, error) {
	ns, err := kp.ListNodes(Name)
	if err != nil || len(ns) == 0 {
		return false, err
	}
	_, err = os.Stat(p.markerPath())
	return err == nil, nil
}

// Up creates the cluster, or finds it, and returns once every node is Ready
// and the lesson images are on every node.
func (p *Provider) Up(ctx context.Context, progress func(cluster.Phase)) (cluster.Status, error) {
	start := time.Now()
	var phaseMu sync.Mutex // kind and the image loader both report phases
	phase := func(name, title string) {
		phaseMu.Lock()
		defer phaseMu.Unlock()
		if progress != nil {
			progress(cluster.Phase{Name: name, Title: title, Elapsed: time.Since(start)})
		}
	}
	phase("preflight", "Checking the Docker engine")
	if err := p.preflight(ctx); err != nil {
		return cluster.Status{}, err
	}
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return cluster.Status{}, err
	}
	// Once kind starts the control plane, the node containers have booted:
	// the lesson images and the pod network can go in while kubeadm works.
	booted := make(chan struct{})
	closeBooted := sync.OnceFunc(func() { close(booted) })
	kp := p.kind(&phaseLogger{phase: func(name, title string) {
		if strings.HasPrefix(title, "Starting control-plane") {
			closeBooted()
		}
		phase(name, title)
	}})
	found, err := p.exists(kp)
	if err != nil {
		return cluster.Status{}, p.explain(ctx, "listing kind's clusters", err)
	}
	if found {
		return p.restart(ctx, kp, phase)
	}
	if p.created() {
		return cluster.Status{}, cluster.ErrGone // its node containers were removed
	}
	if err := p.ensureNodeImage(ctx, phase); err != nil {
		return cluster.Status{}, err
	}
	if err := checkNodePorts(); err != nil {
		return cluster.Status{}, err
	}
	archive, err := p.appArchive()
	if err != nil {
		return cluster.Status{}, err
	}
	early, stopEarly := context.WithCancel(ctx)
	defer stopEarly()
	prepared := make(chan error, 1)
	go func() {
		select {
		case <-booted:
		case <-early.Done():
			prepared <- early.Err()
			return
		}
		prepared <- p.prepareNodes(early, kp, archive, phase)
	}()
	if err := kp.Create(Name, p.createOptions(p.KubeconfigPath())...); err != nil {
		stopEarly()
		<-prepared
		if e := p.explain(ctx, "creating the kind cluster", err); e != err {
			return cluster.Status{}, e
		}
		return cluster.Status{}, fmt.Errorf("kind could not create the cluster: %w", err)
	}
	mk, _ := json.Marshal(marker{Name: Name, NodeImage: p.nodeImage, Created: time.Now()})
	if err := atomicfile.Write(p.markerPath(), mk, 0o600); err != nil {
		return cluster.Status{}, err
	}
	closeBooted() // kind never said it started the control plane: prepare now
	if err := <-prepared; err != nil {
		return cluster.Status{}, p.explain(ctx, "loading the lesson images into the nodes", err)
	}
	if err := p.assignPodCIDRs(ctx); err != nil {
		return cluster.Status{}, err
	}
	phase("waiting", "Waiting for the nodes to be Ready")
	if err := p.waitReady(ctx, 3*time.Minute); err != nil {
		return cluster.Status{}, err
	}
	return p.Status(ctx)
}

// restart starts the node containers of the cluster kubelab created before.
func (p *Provider) restart(ctx context.Context, kp *kindcluster.Provider, phase func(name, title string)) (cluster.Status, error) {
	mine, err := p.owned(kp)
	if err != nil {
		return cluster.Status{}, p.explain(ctx, "looking for the kind cluster's nodes", err)
	}
	if !mine {
		return cluster.Status{}, fmt.Errorf("a kind cluster named %q exists that kubelab did not create; kubelab leaves it alone: delete it with `kind delete cluster --name %s` if you no longer need it", Name, Name)
	}
	if ns, err := kp.ListNodes(Name); err == nil && len(ns) < len(labnodes.All) {
		return cluster.Status{}, cluster.ErrGone // some node containers were removed
	}
	phase("starting", "Starting the kind nodes")
	ns, err := p.startNodes(ctx, kp)
	if err != nil {
		return cluster.Status{}, p.explain(ctx, "starting the kind nodes", err)
	}
	if err := kp.ExportKubeConfig(Name, p.KubeconfigPath(), false); err != nil {
		return cluster.Status{}, p.explain(ctx, "writing the kind cluster's kubeconfig", err)
	}
	if err := p.network(ctx, ns, true); err != nil {
		return cluster.Status{}, p.explain(ctx, "setting up the pod network", err)
	}
	phase("waiting", "Waiting for the nodes to be Ready")
	if err := p.waitReady(ctx, 3*time.Minute); err != nil {
		return cluster.Status{}, err
	}
	st, err := p.Status(ctx)
	st.Already = true
	return st, err
}

func (p *Provider) createOptions(kubeconfig string) []kindcluster.CreateOption {
	return []kindcluster.CreateOption{kindcluster.CreateWithV1Alpha4Config(p.config()),
		kindcluster.CreateWithNodeImage(p.nodeImage), kindcluster.CreateWithKubeconfigPath(kubeconfig),
		kindcluster.CreateWithDisplayUsage(false), kindcluster.CreateWithDisplaySalutation(false)}
}

// CreateBare creates a cluster with kubelab's configuration and node image
// but nothing else (no network routes, images or waiting), named
// kubelab-bare: the baseline kubelab's start-up is measured against.
func (p *Provider) CreateBare() error {
	return p.kind(nil).Create(Name+"-bare", p.createOptions(filepath.Join(p.dir, "bare-kubeconfig"))...)
}

// Status reports the cluster as the API server sees it.
func (p *Provider) Status(ctx context.Context) (cluster.Status, error) {
	st := cluster.Status{Backend: cluster.Kind}
	if err := Preflight(ctx); err != nil {
		st.Problem = cluster.ErrNotRunning.Error()
		if p.created() {
			st.Unreachable, st.Problem = true, err.Error()
		}
		return st, nil
	}
	kp := p.kind(nil)
	if found, err := p.exists(kp); err != nil || !found {
		st.Problem = cluster.ErrNotRunning.Error()
		if err == nil && p.created() {
			st.Problem = cluster.ErrGone.Error()
		}
		return st, nil //nolint:nilerr // reported as a problem
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", p.KubeconfigPath())
	if err != nil {
		st.Problem = "the kind cluster exists but its kubeconfig is missing; run `kubelab up` to write it again"
		return st, nil
	}
	st.APIServer = cfg.Host
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return st, err
	}
	list, err := cluster.ListNodes(ctx, cs.CoreV1().Nodes())
	if err != nil {
		st.Problem = "the kind cluster's node containers are stopped; `kubelab up` starts them again"
		if p.nodesRunning(ctx, kp) {
			st.Unreachable, st.Problem = true, "the kind cluster's nodes run but its API server does not answer; `kubelab up` starts it again"
		}
		return st, nil
	}
	st.Running, st.Nodes = true, list
	var m marker
	if data, err := os.ReadFile(p.markerPath()); err == nil && json.Unmarshal(data, &m) == nil {
		st.StartedAt = m.Created
	}
	return st, nil
}
