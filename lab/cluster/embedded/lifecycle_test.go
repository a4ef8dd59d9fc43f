package embedded_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// newProvider returns a provider over a fresh state directory; the cluster it
// may start is taken down when the test ends.
func newProvider(t *testing.T, opts ...embedded.Option) *embedded.Provider {
	t.Helper()
	bin, err := clustertest.ClusterBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "embedded")
	opts = append([]embedded.Option{embedded.WithStateDir(dir), embedded.WithBinary(bin), embedded.WithPort(-1)}, opts...)
	p, err := embedded.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Down(context.Background()) })
	return p
}

func up(t *testing.T, p *embedded.Provider) cluster.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var phases []string
	st, err := p.Up(ctx, func(ph cluster.Phase) { phases = append(phases, ph.Name) })
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if !st.Already && (len(phases) == 0 || phases[len(phases)-1] != embedded.PhaseReady) {
		t.Fatalf("phases = %v, want them to end with %q", phases, embedded.PhaseReady)
	}
	return st
}

func pid(t *testing.T, p *embedded.Provider) int {
	t.Helper()
	data, err := os.ReadFile(p.Layout().PidFile())
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func alive(pid int) bool { return embedded.Running(pid) }

func TestUpTwiceThenDownLeavesNothing(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	st := up(t, p)
	if !st.Running || st.Already || len(st.Nodes) != 3 {
		t.Fatalf("first up: %+v", st)
	}
	again := up(t, p)
	if !again.Already || !again.Running {
		t.Fatalf("second up should find the cluster running: %+v", again)
	}
	proc := pid(t, p)
	if err := p.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	if alive(proc) {
		t.Fatalf("cluster process %d still runs after down", proc)
	}
	if _, err := os.Stat(p.Layout().Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("state directory left behind: %v", err)
	}
	st, err := p.Status(context.Background())
	if err != nil || st.Running || !strings.Contains(st.Problem, "kubelab up") {
		t.Fatalf("status after down = %+v, %v", st, err)
	}
}

func TestBusyPortIsNamedWithTheFix(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	p := newProvider(t, embedded.WithPort(port))
	_, err = p.Up(context.Background(), nil)
	var busy *embedded.PortInUseError
	if !errors.As(err, &busy) || busy.Port != port {
		t.Fatalf("err = %v, want PortInUseError for %d", err, port)
	}
	for _, want := range []string{strconv.Itoa(port), "--port"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
	if embedded.Held(p.Layout().LockFile()) {
		t.Fatal("a cluster process runs although the port was busy")
	}
}

func TestKilledProcessIsReportedAndRestartsOnSameData(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	up(t, p)
	cs, err := p.Clientset()
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "survivor"}}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	kubeconfig, _ := os.ReadFile(p.KubeconfigPath())

	proc := pid(t, p)
	if err := syscall.Kill(proc, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 10*time.Second, "process gone", func(context.Context) (bool, string) {
		return !embedded.Held(p.Layout().LockFile()), "lock still held"
	})
	st, err := p.Status(context.Background())
	if err != nil || st.Running || !strings.Contains(st.Problem, "not running") || !strings.Contains(st.Problem, "kubelab up") {
		t.Fatalf("status of a killed cluster = %+v, %v", st, err)
	}
	// The stale pid and lock files stay behind; up must not mind them.
	if _, err := os.Stat(p.Layout().PidFile()); err != nil {
		t.Fatalf("expected a stale pid file: %v", err)
	}

	st = up(t, p)
	if !st.Running || st.Already {
		t.Fatalf("restart: %+v", st)
	}
	if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "survivor", metav1.GetOptions{}); err != nil {
		t.Fatalf("data lost across restart: %v", err)
	}
	after, _ := os.ReadFile(p.KubeconfigPath())
	if string(after) != string(kubeconfig) {
		t.Fatal("restart changed the kubeconfig: certificates must be reused")
	}
}

func TestInterruptedUpLeavesNothingRunning(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := p.Up(ctx, func(ph cluster.Phase) {
		if ph.Name == embedded.PhaseAPIServer {
			cancel() // as Ctrl-C would, half-way through start-up
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if embedded.Held(p.Layout().LockFile()) {
		t.Fatal("the cluster process still runs after an interrupted up")
	}
	if _, err := os.Stat(p.Layout().Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a fresh state directory was left behind: %v", err)
	}
}

func TestCorruptStateIsExplainedAndDownCleansIt(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	if err := os.MkdirAll(p.Layout().Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.Layout().Meta(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.Up(context.Background(), nil)
	var corrupt *embedded.CorruptStateError
	if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), "kubelab down") {
		t.Fatalf("err = %v, want a CorruptStateError that says to run kubelab down", err)
	}
	if err := p.Down(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p.Layout().Dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("down did not remove the damaged state")
	}
	up(t, p)
}

func TestDamagedCertificatesFailWithTheFix(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	up(t, p)
	// Stop the cluster as a crash would, then damage a key while it is down.
	if err := syscall.Kill(pid(t, p), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 15*time.Second, "process stopped", func(context.Context) (bool, string) {
		return !embedded.Held(p.Layout().LockFile()), "lock still held"
	})
	if err := os.WriteFile(filepath.Join(p.Layout().PKIDir(), "ca.key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := p.Up(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "kubelab down") {
		t.Fatalf("err = %v, want it to say the certificates are damaged and how to recover", err)
	}
}

// A test killed before its clean-up leaves no cluster behind: the cluster
// stops once the process named in $KUBELAB_CLUSTER_EXIT_WITH is gone, and not
// before. (Not parallel: t.Setenv.)
func TestClusterStopsWhenTheProcessItIsTiedToIsGone(t *testing.T) {
	owner := exec.Command("sleep", "600")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = owner.Process.Kill() })
	t.Setenv(embedded.ExitWithEnv, strconv.Itoa(owner.Process.Pid))
	p := newProvider(t)
	up(t, p)
	proc := pid(t, p)
	time.Sleep(5 * time.Second) // over two of the cluster's checks
	if !alive(proc) {
		t.Fatal("the cluster stopped while the process it is tied to runs")
	}
	_ = owner.Process.Kill()
	_ = owner.Wait()
	clustertest.Eventually(t, 30*time.Second, "the cluster to stop after its owner", func(context.Context) (bool, string) {
		return !embedded.Held(p.Layout().LockFile()), "the cluster still runs"
	})
}
