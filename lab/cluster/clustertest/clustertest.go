// Package clustertest gives tests a real API server: it starts ONE embedded
// lab cluster per test binary (from TestMain) and hands each test a namespace
// of its own, deleted when the test ends.
//
//	func TestMain(m *testing.M) { clustertest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		t.Parallel()
//		cs, ns := clustertest.Namespace(t)
//		...
//	}
//
// The cluster runs as the kubelab-cluster process, built once (make test
// passes it in KUBELAB_CLUSTER_BINARY; plain `go test` builds it into the
// user cache), so test binaries do not link the control plane.
package clustertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// Every cluster a test starts, itself or through a kubelab process it runs,
// stops once the test binary is gone, even when a timeout or Ctrl-C kills it
// before its clean-up.
func init() {
	if os.Getenv(embedded.ExitWithEnv) == "" {
		_ = os.Setenv(embedded.ExitWithEnv, strconv.Itoa(os.Getpid()))
	}
}

// Env is the shared cluster of a test binary.
type Env struct {
	Provider   *embedded.Provider
	Kubeconfig string
	Config     *rest.Config
	Client     kubernetes.Interface
}

var (
	sharedOnce sync.Once
	shared     *Env
	sharedErr  error
	stopShared = func() {}
	sharedDir  string
)

// Main runs the tests and takes down the shared cluster if a test started it.
func Main(m *testing.M) {
	code := m.Run()
	stopShared()
	if sharedDir != "" {
		_ = os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

// Start brings up an embedded cluster in dir on a free port and returns it
// with a function that takes it down.
func Start(dir string) (*Env, func(), error) {
	bin, err := ClusterBinary()
	if err != nil {
		return nil, nil, err
	}
	p, err := embedded.New(embedded.WithStateDir(filepath.Join(dir, "embedded")), embedded.WithPort(-1), embedded.WithBinary(bin))
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := p.Up(ctx, nil); err != nil {
		return nil, nil, err
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = p.Down(ctx)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", p.KubeconfigPath())
	if err != nil {
		stop()
		return nil, nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return &Env{Provider: p, Kubeconfig: p.KubeconfigPath(), Config: cfg, Client: cs}, stop, nil
}

// Cluster returns the test binary's shared cluster, starting it on first
// use; the binary's TestMain must call Main so that it is taken down.
func Cluster(t testing.TB) *Env {
	t.Helper()
	sharedOnce.Do(func() {
		sharedDir, sharedErr = os.MkdirTemp("", "kubelab-test-")
		if sharedErr != nil {
			return
		}
		shared, stopShared, sharedErr = Start(sharedDir)
	})
	if sharedErr != nil {
		t.Fatalf("clustertest: start the embedded cluster: %v", sharedErr)
	}
	return shared
}

var nsSeq atomic.Int64

// Namespace creates a namespace for t, waits until pods can be created in it
// (its default ServiceAccount exists), and deletes it when t ends.
func Namespace(t testing.TB) (kubernetes.Interface, string) {
	t.Helper()
	env := Cluster(t)
	return env.Client, NamespaceOn(t, env.Client)
}

// NamespaceOn is Namespace on the cluster cs reaches (kind, in make e2e-kind).
func NamespaceOn(t testing.TB, cs kubernetes.Interface) string {
	t.Helper()
	name := fmt.Sprintf("lab-t%d-%s", nsSeq.Add(1), dnsLabel(t.Name()))
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	ctx := context.Background()
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create namespace %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(name).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("namespace %s: default service account never appeared", name)
	}
	return name
}

var nonDNS = regexp.MustCompile(`[^a-z0-9-]+`)

func dnsLabel(s string) string {
	return strings.Trim(nonDNS.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// ClusterBinary returns the kubelab-cluster program to run: the one named by
// $KUBELAB_CLUSTER_BINARY, or one built now (cached) into the user cache.
func ClusterBinary() (string, error) {
	return Binary("KUBELAB_CLUSTER_BINARY", "./cmd/kubelab-cluster", embedded.ClusterBinary)
}

// Binary returns the program named by $env, or builds pkg of this module into
// the user cache under name, holding a lock so parallel test binaries build
// it once. go build skips the link when the binary is up to date.
func Binary(env, pkg, name string) (string, error) {
	if b := os.Getenv(env); b != "" {
		return b, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "kubelab-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	var release func()
	for {
		release, err = embedded.Lock(out + ".lock")
		if err == nil {
			break
		}
		if err != embedded.ErrLocked {
			return "", err
		}
		time.Sleep(200 * time.Millisecond)
	}
	defer release()
	cmd := exec.Command("go", "build", "-ldflags", VersionLDFlags, "-o", out, pkg)
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", pkg, err, msg)
	}
	return out, nil
}

// VersionLDFlags stamps the Kubernetes version into a binary, as the Makefile does.
const VersionLDFlags = "-X k8s.io/component-base/version.gitVersion=v1.37.2 " +
	"-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37"

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the kubelab module: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the kubelab module; set KUBELAB_CLUSTER_BINARY")
	}
	return filepath.Dir(mod), nil
}

// Eventually polls cond until it reports done, failing t after timeout with
// the last state cond described, so a failure says what the cluster showed.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func(ctx context.Context) (done bool, state string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last string
	for {
		done, state := cond(ctx)
		if done {
			return
		}
		last = state
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not reached within %v; last seen: %s", what, timeout, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
