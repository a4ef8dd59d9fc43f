package controlplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"go.etcd.io/etcd/server/v3/embed"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/embedded/pki"
	"github.com/kubelab/kubelab/lab/cluster/embedded/simnode"
)

// Config says where a cluster keeps its state and where it listens.
type Config struct {
	// Dir is the state directory (see embedded.Layout).
	Dir string
	// APIPort is the API server's port on 127.0.0.1.
	APIPort int
	// Progress, when set, hears each phase of start-up as it begins, and
	// embedded.PhaseReady once every node is Ready.
	Progress func(phase string)
}

// ports are the cluster's internal loopback ports, kept across restarts.
type ports struct {
	EtcdClient int `json:"etcdClient"`
	EtcdPeer   int `json:"etcdPeer"`
	Kubelet    int `json:"kubelet"`
}

// Run starts the cluster, reports progress, and serves until ctx ends or a
// component fails. It holds the state directory's lock for its whole life.
func Run(ctx context.Context, cfg Config) error {
	progress := cfg.Progress
	if progress == nil {
		progress = func(string) {}
	}
	l := embedded.Layout{Dir: cfg.Dir}
	for _, d := range []string{l.Dir, l.LogDir(), l.KubeconfigDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	release, err := embedded.Lock(l.LockFile())
	if errors.Is(err, embedded.ErrLocked) {
		return fmt.Errorf("another cluster process already runs on %s", l.Dir)
	}
	if err != nil {
		return err
	}
	defer release()
	if err := atomicfile.Write(l.PidFile(), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		return err
	}

	progress(embedded.PhaseCertificates)
	set, err := pki.Ensure(l.PKIDir())
	if err != nil {
		return fmt.Errorf("%w; run `kubelab down` to remove the lab's state, then `kubelab up`", err)
	}
	p, err := loadPorts(l.Ports())
	if err != nil {
		return fmt.Errorf("%w; run `kubelab down` to remove the lab's state, then `kubelab up`", err)
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", cfg.APIPort)
	if err := writeKubeconfig(l.Kubeconfig(), set, pki.Admin, server, true); err != nil {
		return err
	}
	kc := func(id pki.Identity) string { return filepath.Join(l.KubeconfigDir(), id.Name+".conf") }
	for _, id := range []pki.Identity{pki.ControllerManager, pki.Scheduler, pki.NodeAgent} {
		if err := writeKubeconfig(kc(id), set, id, server, false); err != nil {
			return err
		}
	}

	// etcd and the API server start together: the API server spends its
	// first second building its configuration and handlers, which need no
	// etcd, and waits for it after that.
	progress(embedded.PhaseEtcd)
	type started struct {
		etcd *embed.Etcd
		err  error
	}
	etcdc := make(chan started, 1)
	go func() {
		e, err := startEtcd(ctx, l.Dir, p)
		etcdc <- started{e, err}
	}()
	var etcd *embed.Etcd
	received := false
	defer func() {
		if !received {
			etcd = (<-etcdc).etcd // still starting: stop it once it has
		}
		if etcd != nil {
			etcd.Close()
		}
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 8)
	done := make(chan struct{})
	run := func(name string, f func(context.Context) error) {
		go func() {
			err := f(ctx)
			if ctx.Err() == nil {
				if err == nil {
					err = errors.New("stopped")
				}
				errc <- fmt.Errorf("%s: %w", name, err)
			}
			if name == "kube-apiserver" {
				close(done)
			}
		}()
	}

	progress(embedded.PhaseAPIServer)
	run("kube-apiserver", func(ctx context.Context) error {
		return runAPIServer(ctx, apiserverArgs(set, p, cfg.APIPort))
	})
	e := <-etcdc
	received = true
	if e.err != nil {
		return e.err
	}
	etcd = e.etcd
	restCfg, err := clientcmd.BuildConfigFromFlags("", kc(pki.NodeAgent))
	if err != nil {
		return err
	}
	restCfg.QPS, restCfg.Burst = 200, 400
	cs, err := newClientset(restCfg)
	if err != nil {
		return err
	}
	if err := waitReady(ctx, cs, errc); err != nil {
		return err
	}
	// The roles come first, then the components that need them: started
	// with the API server, they only slow its start-up down on two cores.
	// The simulated nodes need no roles (their agent is a cluster admin):
	// they start meanwhile.
	booted := make(chan error, 1)
	go func() {
		err := bootstrap(ctx, cs)
		if err == nil {
			run("kube-controller-manager", func(ctx context.Context) error {
				return runControllerManager(ctx, controllerManagerArgs(set, kc(pki.ControllerManager)))
			})
			run("kube-scheduler", func(ctx context.Context) error {
				return runScheduler(ctx, schedulerArgs(kc(pki.Scheduler)))
			})
		}
		booted <- err
	}()
	progress(embedded.PhaseNodes)
	if err := simnode.EnsureNodes(ctx, cs, p.Kubelet); err != nil {
		return err
	}
	if err := ensureDefaultServiceAccount(ctx, cs); err != nil {
		return err
	}
	if err := simnode.StartAgent(ctx, set, cs, p.Kubelet, errc); err != nil {
		return err
	}
	if err := simnode.StartKwok(ctx, kc(pki.NodeAgent), p.Kubelet); err != nil {
		return err
	}
	progress(embedded.PhaseWaiting)
	if err := waitUsable(ctx, cs, errc); err != nil {
		return err
	}
	if err := <-booted; err != nil {
		return err
	}
	progress(embedded.PhaseReady)

	select {
	case <-ctx.Done():
	case err := <-errc:
		cancel()
		return err
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return nil
}

// ensureDefaultServiceAccount creates the default namespace's ServiceAccount
// at once, as the serviceaccount controller would a few seconds later, so
// that a learner's first `kubectl run` never fails for want of it.
func ensureDefaultServiceAccount(ctx context.Context, cs kubernetes.Interface) error {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	_, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create the default service account: %w", err)
	}
	return nil
}

func newClientset(cfg *rest.Config) (*kubernetes.Clientset, error) {
	return kubernetes.NewForConfig(cfg)
}

// waitReady polls the API server's /readyz until it answers ok, but for
// the checks of the hooks bootstrap does the work of.
func waitReady(ctx context.Context, cs kubernetes.Interface, errc <-chan error) error {
	return poll(ctx, errc, 2*time.Minute, "the API server did not become ready within 2 minutes", func() (bool, string) {
		body, err := cs.Discovery().RESTClient().Get().RequestURI(readyzSkippingHooks).DoRaw(ctx)
		return err == nil && string(body) == "ok", fmt.Sprint(err)
	})
}

// waitUsable waits until a learner's first command works: every lab node is
// Ready and untainted, and the default namespace has its default ServiceAccount.
func waitUsable(ctx context.Context, cs kubernetes.Interface, errc <-chan error) error {
	return poll(ctx, errc, time.Minute, "the cluster was not usable within a minute", func() (bool, string) {
		if ready, state := nodesUsable(ctx, cs); !ready {
			return false, state
		}
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err == nil, "the default ServiceAccount does not exist yet"
	})
}

// poll calls done every 50 ms until it reports true, a component fails
// (errc), ctx ends, or timeout passes (then: "<what>: <last state>").
func poll(ctx context.Context, errc <-chan error, timeout time.Duration, what string, done func() (bool, string)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, state := done()
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s", what, state)
		}
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func nodesUsable(ctx context.Context, cs kubernetes.Interface) (bool, string) {
	list, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err.Error()
	}
	usable := 0
	for _, n := range list.Items {
		ready := false
		for _, c := range n.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				ready = true
			}
		}
		for _, t := range n.Spec.Taints {
			if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
				ready = false
			}
		}
		if ready {
			usable++
		}
	}
	return usable >= simnode.Count, fmt.Sprintf("%d of %d nodes Ready and untainted", usable, simnode.Count)
}

// loadPorts reads the internal ports of an earlier start, replacing any that
// another program took meanwhile, and allocates them on first start.
func loadPorts(path string) (ports, error) {
	var p ports
	if data, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(data, &p); err != nil {
			return p, fmt.Errorf("%s is damaged: %w", path, err)
		}
	}
	for _, port := range []*int{&p.EtcdClient, &p.EtcdPeer, &p.Kubelet} {
		if *port != 0 && embedded.PortFree(*port) {
			continue
		}
		n, err := embedded.FreePort()
		if err != nil {
			return p, err
		}
		*port = n
	}
	data, _ := json.Marshal(p)
	return p, atomicfile.Write(path, data, 0o600)
}
