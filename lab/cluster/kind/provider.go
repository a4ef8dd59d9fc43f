// Package kind runs the lab cluster on kind (sigs.k8s.io/kind): real nodes
// as containers of a Docker engine, a real kubelet, real containers. One
// control-plane and two workers named like the embedded cluster's nodes,
// kubeconfig at a lab-owned path, the lesson app images loaded into every
// node (no registry needed), and node ports 30080-30082 on localhost.
package kind

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"
	kindexec "sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/images"
)

// Name is the kind cluster kubelab creates.
const Name = "kubelab"

// OwnerLabel marks the nodes of a cluster kubelab created.
const OwnerLabel = "kubelab.dev/cluster"

// NodePorts are mapped from the control-plane node to 127.0.0.1.
var NodePorts = []int32{30080, 30081, 30082}

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
		return &PreflightError{Reason: fmt.Sprintf("the Docker engine has %.1f GiB of memory; kind's three nodes need at least 3 GiB", float64(info.MemTotal)/(1<<30)), Fix: "give Docker more memory, or use `kubelab up --backend embedded`"}
	}
	return nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

func (p *Provider) kind(log kindlog.Logger) *kindcluster.Provider {
	if log == nil {
		log = kindlog.NoopLogger{}
	}
	return kindcluster.NewProvider(kindcluster.ProviderWithDocker(), kindcluster.ProviderWithLogger(log))
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
	if err := Preflight(ctx); err != nil {
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
		return cluster.Status{}, fmt.Errorf("list kind clusters: %w", err)
	}
	if found {
		mine, err := p.owned(kp)
		if err != nil {
			return cluster.Status{}, err
		}
		if !mine {
			return cluster.Status{}, fmt.Errorf("a kind cluster named %q exists that kubelab did not create; kubelab leaves it alone: delete it with `kind delete cluster --name %s` if you no longer need it", Name, Name)
		}
		phase("starting", "Starting the kind nodes")
		ns, err := p.startNodes(ctx, kp)
		if err != nil {
			return cluster.Status{}, err
		}
		if err := kp.ExportKubeConfig(Name, p.KubeconfigPath(), false); err != nil {
			return cluster.Status{}, err
		}
		if err := p.network(ctx, ns, true); err != nil {
			return cluster.Status{}, err
		}
		phase("waiting", "Waiting for the nodes to be Ready")
		if err := p.waitReady(ctx, 3*time.Minute); err != nil {
			return cluster.Status{}, err
		}
		st, err := p.Status(ctx)
		st.Already = true
		return st, err
	}
	for _, port := range NodePorts {
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
			return cluster.Status{}, fmt.Errorf("port %d on 127.0.0.1 is in use; kubelab maps NodePort lessons there: stop what uses it (`ss -ltnp 'sport = :%d'`)", port, port)
		} else {
			_ = ln.Close()
		}
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
	if err := kp.Create(Name, kindcluster.CreateWithV1Alpha4Config(p.config()),
		kindcluster.CreateWithNodeImage(p.nodeImage), kindcluster.CreateWithKubeconfigPath(p.KubeconfigPath()),
		kindcluster.CreateWithDisplayUsage(false), kindcluster.CreateWithDisplaySalutation(false)); err != nil {
		stopEarly()
		<-prepared
		return cluster.Status{}, fmt.Errorf("kind could not create the cluster: %w", err)
	}
	mk, _ := json.Marshal(marker{Name: Name, NodeImage: p.nodeImage, Created: time.Now()})
	if err := atomicfile.Write(p.markerPath(), mk, 0o600); err != nil {
		return cluster.Status{}, err
	}
	closeBooted() // kind never said it started the control plane: prepare now
	if err := <-prepared; err != nil {
		return cluster.Status{}, err
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

// offline says whether the node image lacks kind's own CNI (kubelab's
// registry-free node image): kubelab then connects the pod networks itself.
func (p *Provider) offline() bool { return strings.HasPrefix(p.nodeImage, "kubelab/node") }

func (p *Provider) config() *v1alpha4.Cluster {
	labels := map[string]string{OwnerLabel: Name}
	cp := v1alpha4.Node{Role: v1alpha4.ControlPlaneRole, Labels: labels}
	for _, port := range NodePorts {
		cp.ExtraPortMappings = append(cp.ExtraPortMappings, v1alpha4.PortMapping{ContainerPort: port, HostPort: port, ListenAddress: "127.0.0.1"})
	}
	cfg := &v1alpha4.Cluster{
		Nodes: []v1alpha4.Node{cp, {Role: v1alpha4.WorkerRole, Labels: labels}, {Role: v1alpha4.WorkerRole, Labels: labels}},
		KubeadmConfigPatches: []string{
			// Hosts with cgroup v1 (CI machines here) need the kubelet's
			// consent; short leases let a stopped node be noticed in seconds.
			"kind: KubeletConfiguration\nfailCgroupV1: false\nnodeLeaseDurationSeconds: 8\nnodeStatusUpdateFrequency: 4s\n",
			// Self-healing lessons: a lost node is NotReady after 10 s and its
			// pods move 2 s later (defaults: 40 s and 5 minutes), as on the
			// embedded cluster.
			"kind: ClusterConfiguration\n" +
				"apiServer:\n  extraArgs:\n" +
				"  - {name: default-not-ready-toleration-seconds, value: \"2\"}\n" +
				"  - {name: default-unreachable-toleration-seconds, value: \"2\"}\n" +
				"controllerManager:\n  extraArgs:\n" +
				"  - {name: node-monitor-grace-period, value: 10s}\n",
		},
	}
	cfg.Networking.DisableDefaultCNI = p.offline()
	if p.offline() {
		// kubelab gives each node its pod range itself (podCIDRs), so the
		// pod network is in place before the kubelets start.
		cfg.KubeadmConfigPatches = append(cfg.KubeadmConfigPatches,
			"kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n  - {name: allocate-node-cidrs, value: \"false\"}\n")
	}
	v1alpha4.SetDefaultsCluster(cfg)
	return cfg
}

func (p *Provider) client() (kubernetes.Interface, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", p.KubeconfigPath())
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// podCIDRs are the nodes' pod address ranges on kubelab's node image: fixed,
// so each node's pod network is written while kind is still creating the
// cluster and the kubelets start with it (Ready as soon as they register).
var podCIDRs = map[string]string{
	Name + "-control-plane": "10.244.0.0/24",
	Name + "-worker":        "10.244.1.0/24",
	Name + "-worker2":       "10.244.2.0/24",
}

// network gives every node a pod network when the image has no CNI of its
// own: a ptp/host-local config for the node's pod range, and routes to the
// other nodes' ranges (what kind's kindnetd does). A node's podCIDR from
// the API, where it has one, wins over the fixed table.
func (p *Provider) network(ctx context.Context, ns []nodes.Node, fromAPI bool) error {
	if !p.offline() {
		return nil
	}
	type nodeNet struct {
		node nodes.Node
		ip   string
		cidr string
	}
	var cs kubernetes.Interface
	if fromAPI {
		var err error
		if cs, err = p.client(); err != nil {
			return err
		}
	}
	var nets []nodeNet
	for _, n := range ns {
		ip, _, err := n.IP()
		if err != nil {
			return fmt.Errorf("node %s: %w", n, err)
		}
		cidr := podCIDRs[n.String()]
		if cs != nil {
			if obj, err := cs.CoreV1().Nodes().Get(ctx, n.String(), metav1.GetOptions{}); err == nil && obj.Spec.PodCIDR != "" {
				cidr = obj.Spec.PodCIDR
			}
		}
		if cidr == "" {
			return fmt.Errorf("node %s has no pod address range", n)
		}
		nets = append(nets, nodeNet{n, ip, cidr})
	}
	// One command per node, all nodes at once: its CNI config, then routes
	// to the other nodes' pods.
	var wg sync.WaitGroup
	errs := make([]error, len(nets))
	for i, me := range nets {
		wg.Go(func() {
			conf := fmt.Sprintf(`{"cniVersion":"0.4.0","name":"kubelab","plugins":[{"type":"ptp","ipMasq":true,"mtu":1500,"ipam":{"type":"host-local","ranges":[[{"subnet":%q}]],"routes":[{"dst":"0.0.0.0/0"}]}},{"type":"portmap","capabilities":{"portMappings":true}}]}`, me.cidr)
			const dir = "/etc/cni/net.d"
			script := "mkdir -p " + dir + " && cat > " + dir + "/.10-kubelab.tmp && mv " + dir + "/.10-kubelab.tmp " + dir + "/10-kubelab.conflist"
			for _, other := range nets {
				if other.node.String() != me.node.String() {
					script += fmt.Sprintf(" && ip route replace %s via %s", other.cidr, other.ip)
				}
			}
			cmd := me.node.CommandContext(ctx, "sh", "-c", script).SetStdin(strings.NewReader(conf))
			if out, err := kindexec.CombinedOutputLines(cmd); err != nil {
				errs[i] = fmt.Errorf("node %s: pod network: %v: %s", me.node, err, strings.Join(out, " "))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prepareNodes runs while kind creates the cluster, once the node
// containers have booted: the pod networks, and the lesson images into
// every node's containerd (retried until containerd answers).
func (p *Provider) prepareNodes(ctx context.Context, kp *kindcluster.Provider, archive []byte, phase func(name, title string)) error {
	deadline := time.Now().Add(3 * time.Minute)
	var ns []nodes.Node
	for {
		var err error
		if ns, err = kp.ListNodes(Name); err == nil && len(ns) == 3 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the kind node containers did not appear within 3 minutes; see `docker ps -a`")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	phase("network", "Connecting the nodes' pod networks")
	netErr := make(chan error, 1)
	go func() { netErr <- p.network(ctx, ns, false) }()
	phase("images", "Loading the lesson app images into the nodes")
	loadErr := loadInto(ctx, ns, archive, deadline)
	return errors.Join(loadErr, <-netErr)
}

// assignPodCIDRs records each node's pod range (podCIDRs) on its Node
// object, as the controller manager would have: `kubectl describe node`
// shows it. Nodes may still be registering when kind returns.
func (p *Provider) assignPodCIDRs(ctx context.Context) error {
	if !p.offline() {
		return nil
	}
	cs, err := p.client()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(2 * time.Minute)
	for name, cidr := range podCIDRs {
		for {
			n, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err == nil && n.Spec.PodCIDR != "" {
				break
			}
			if err == nil {
				patch := fmt.Sprintf(`{"spec":{"podCIDR":%q,"podCIDRs":[%q]}}`, cidr, cidr)
				if _, err = cs.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err == nil {
					break
				}
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("node %s: record its pod range: %w", name, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	return nil
}

// appArchive builds the lesson app images for the nodes' architecture.
func (p *Provider) appArchive() ([]byte, error) {
	arch := runtime.GOARCH
	if out, err := exec.Command("docker", "info", "--format", "{{.Architecture}}").Output(); err == nil {
		switch strings.TrimSpace(string(out)) {
		case "aarch64", "arm64":
			arch = "arm64"
		case "x86_64", "amd64":
			arch = "amd64"
		}
	}
	bin := filepath.Join(p.appDir, "kubelab-app-linux-"+arch)
	program, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("the lesson app for linux/%s is missing (%s): rebuild kubelab with `make build`", arch, bin)
	}
	var buf bytes.Buffer
	if err := images.Write(&buf, program, arch); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LoadImages loads the lesson app images into every node, in parallel.
func (p *Provider) LoadImages(ctx context.Context) error {
	archive, err := p.appArchive()
	if err != nil {
		return err
	}
	ns, err := p.kind(nil).ListNodes(Name)
	if err != nil {
		return err
	}
	return loadInto(ctx, ns, archive, time.Time{})
}

// loadInto loads an image archive into every node's containerd, in
// parallel, as kind's `load image-archive` does; a node whose containerd
// does not answer yet is tried again every second until retryUntil.
func loadInto(ctx context.Context, ns []nodes.Node, archive []byte, retryUntil time.Time) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ns))
	for i, n := range ns {
		wg.Go(func() {
			for {
				err := nodeutils.LoadImageArchive(n, bytes.NewReader(archive))
				if err == nil {
					return
				}
				if time.Now().After(retryUntil) {
					errs[i] = fmt.Errorf("load the lesson images into %s: %w", n, err)
					return
				}
				select {
				case <-ctx.Done():
					errs[i] = ctx.Err()
					return
				case <-time.After(time.Second):
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startNodes starts the cluster's node containers and returns them.
func (p *Provider) startNodes(ctx context.Context, kp *kindcluster.Provider) ([]nodes.Node, error) {
	ns, err := kp.ListNodes(Name)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		if err := exec.CommandContext(ctx, "docker", "start", n.String()).Run(); err != nil {
			return nil, fmt.Errorf("start node %s: %w", n, err)
		}
	}
	return ns, nil
}

func (p *Provider) waitReady(ctx context.Context, limit time.Duration) error {
	cs, err := p.client()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	for {
		list, err := cluster.ListNodes(ctx, cs.CoreV1().Nodes())
		ready := 0
		for _, n := range list {
			if n.Ready {
				ready++
			}
		}
		if err == nil && len(list) == 3 && ready == 3 {
			if _, err := cs.CoreV1().ServiceAccounts(corev1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{}); err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the kind nodes are not Ready after %s: see `docker logs %s-control-plane`", limit, Name)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Down deletes the cluster kubelab created (never another one).
func (p *Provider) Down(ctx context.Context) error {
	if _, err := exec.LookPath("docker"); err != nil {
		return nil
	}
	kp := p.kind(nil)
	found, err := p.exists(kp)
	if err != nil || !found {
		_ = os.RemoveAll(p.dir)
		return nil //nolint:nilerr // no engine or no cluster: nothing to delete
	}
	if mine, err := p.owned(kp); err != nil || !mine {
		return fmt.Errorf("the kind cluster %q was not created by kubelab; kubelab leaves it alone", Name)
	}
	if err := deleteCluster(kp, Name, p.KubeconfigPath()); err != nil {
		return err
	}
	return os.RemoveAll(p.dir)
}

// Status reports the cluster as the API server sees it.
func (p *Provider) Status(ctx context.Context) (cluster.Status, error) {
	st := cluster.Status{Backend: cluster.Kind}
	if Preflight(ctx) != nil {
		st.Problem = cluster.ErrNotRunning.Error()
		return st, nil
	}
	kp := p.kind(nil)
	if found, err := p.exists(kp); err != nil || !found {
		st.Problem = cluster.ErrNotRunning.Error()
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
		st.Problem = "the kind cluster does not answer; its nodes may be stopped: run `kubelab up`"
		return st, nil
	}
	st.Running, st.Nodes = true, list
	var m marker
	if data, err := os.ReadFile(p.markerPath()); err == nil && json.Unmarshal(data, &m) == nil {
		st.StartedAt = m.Created
	}
	return st, nil
}

// SetNodeRunning stops or starts a node's container: with it, its kubelet
// and every container on it.
func (p *Provider) SetNodeRunning(ctx context.Context, node string, running bool) error {
	kp := p.kind(nil)
	ns, err := kp.ListNodes(Name)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ns, func(n nodes.Node) bool { return n.String() == node }) {
		return fmt.Errorf("%s is not a node of the kubelab cluster", node)
	}
	verb := "stop"
	if running {
		verb = "start"
	}
	args := []string{verb, node}
	if !running {
		// systemd (PID 1 of the node) does not stop on SIGTERM: after 2 s the
		// node is killed, as a crashed machine would be.
		args = []string{"stop", "-t", "2", node}
	}
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s %s: %v: %s", verb, node, err, out)
	}
	if running {
		// A restarted node has a fresh network namespace: give it its routes again.
		return p.network(ctx, ns, true)
	}
	return nil
}

// KillContainer kills a container's process on its node with SIGKILL
// through the node's containerd (ctr, in every kind node image); the
// kubelet sees it exit with code 137 and restarts it.
func (p *Provider) KillContainer(ctx context.Context, namespace, pod, container string) error {
	cs, err := p.client()
	if err != nil {
		return err
	}
	po, err := cs.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return err
	}
	id, err := cluster.RunningContainerID(po, container)
	if err != nil {
		return err
	}
	ns, err := p.kind(nil).ListNodes(Name)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ns, func(n nodes.Node) bool { return n.String() == po.Spec.NodeName })
	if i < 0 {
		return fmt.Errorf("pod %s runs on %q, which is not a node of the kubelab cluster", pod, po.Spec.NodeName)
	}
	cmd := ns[i].CommandContext(ctx, "ctr", "--namespace=k8s.io", "tasks", "kill", "--signal", "SIGKILL", id)
	if out, err := kindexec.CombinedOutputLines(cmd); err != nil {
		return fmt.Errorf("kill container %s of pod %s on %s: %v: %s", container, pod, po.Spec.NodeName, err, strings.Join(out, " "))
	}
	return nil
}

// phaseLogger turns kind's progress messages into start-up phases.
type phaseLogger struct {
	phase func(name, title string)
}

func (l *phaseLogger) Warn(string)           {}
func (l *phaseLogger) Warnf(string, ...any)  {}
func (l *phaseLogger) Error(string)          {}
func (l *phaseLogger) Errorf(string, ...any) {}
func (l *phaseLogger) V(level kindlog.Level) kindlog.InfoLogger {
	if level > 0 {
		return kindlog.NoopInfoLogger{}
	}
	return l
}
func (l *phaseLogger) Info(message string) { l.status(message) }
func (l *phaseLogger) Infof(format string, args ...any) {
	l.status(fmt.Sprintf(format, args...))
}
func (l *phaseLogger) Enabled() bool { return true }

func (l *phaseLogger) status(m string) {
	m = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(m), "•"))
	m = strings.TrimSpace(strings.TrimSuffix(m, "..."))
	// kind's messages end with emoji (one per node): keep the words.
	for {
		i := strings.LastIndex(m, " ")
		if i <= 0 || strings.ContainsAny(m[i+1:], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789)") {
			break
		}
		m = strings.TrimSpace(m[:i])
	}
	if m == "" || strings.HasPrefix(m, "✓") || strings.HasPrefix(m, "✗") {
		return
	}
	l.phase("kind", m)
}

// CreateBare creates a cluster with kubelab's configuration and node image
// but nothing else (no network routes, images or waiting), named
// kubelab-bare: the baseline kubelab's start-up is measured against.
func (p *Provider) CreateBare() error {
	return p.kind(nil).Create(Name+"-bare", kindcluster.CreateWithV1Alpha4Config(p.config()),
		kindcluster.CreateWithNodeImage(p.nodeImage), kindcluster.CreateWithKubeconfigPath(filepath.Join(p.dir, "bare-kubeconfig")),
		kindcluster.CreateWithDisplayUsage(false), kindcluster.CreateWithDisplaySalutation(false))
}

// DeleteBare deletes the baseline cluster.
func (p *Provider) DeleteBare() error {
	return deleteCluster(p.kind(nil), Name+"-bare", filepath.Join(p.dir, "bare-kubeconfig"))
}

// deleteCluster deletes a kind cluster; `docker rm -f` of a node that is
// still stopping sometimes fails once, so it tries three times.
//
// On cgroup v1 hosts a pod container caught half-created when its node is
// killed can stay in a FROZEN freezer cgroup, which no signal ends; the
// retry thaws the node containers' frozen cgroups first.
func deleteCluster(kp *kindcluster.Provider, name, kubeconfig string) error {
	ns, _ := kp.ListNodes(name)
	var err error
	for range 3 {
		if err = kp.Delete(name, kubeconfig); err == nil {
			return nil
		}
		for _, n := range ns {
			thawNode(n.String())
		}
		time.Sleep(2 * time.Second)
	}
	return fmt.Errorf("delete the kind cluster %s: %w", name, err)
}

// thawNode thaws every frozen freezer cgroup of a node container (cgroup v1).
func thawNode(container string) {
	out, err := exec.Command("docker", "inspect", "-f", "{{.Id}}", container).Output()
	if err != nil {
		return
	}
	root := filepath.Join("/sys/fs/cgroup/freezer/docker", strings.TrimSpace(string(out)))
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "freezer.state" {
			return nil //nolint:nilerr // best effort
		}
		if state, _ := os.ReadFile(path); strings.TrimSpace(string(state)) == "FROZEN" {
			_ = os.WriteFile(path, []byte("THAWED"), 0o644)
		}
		return nil
	})
}
