package host_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/host/hosttest"
	"github.com/kubelab/kubelab/lab/lesson"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// task is a quiz task of the built-in lessons, under a namespace of its own.
func task(t *testing.T, h *host.Lab, id string) *lesson.Lesson {
	t.Helper()
	for _, l := range h.Lessons() {
		for _, tk := range l.Tasks {
			if tk.ID == id {
				tk.ID += "-host" // not the namespace of a kubelab quiz test
				return l.AsLesson(tk)
			}
		}
	}
	t.Fatalf("no quiz task %s", id)
	return nil
}

// A quiz task's session never starts on an earlier attempt's answer, and
// Close returns only once the task's namespace is gone.
func TestQuizTaskStartsEmptyAndCloseRemovesIt(t *testing.T) {
	t.Parallel()
	h := hosttest.New(t, host.Config{})
	l := task(t, h, "four-replicas")
	cs := h.Clients().Client
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// What a killed kubelab left: the namespace with the learner's answer in it.
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: l.Namespace()}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "the default service account", func(ctx context.Context) (bool, string) {
		_, err := cs.CoreV1().ServiceAccounts(l.Namespace()).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, "not yet"
	})
	old := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "old-answer"}}
	if _, err := cs.CoreV1().ConfigMaps(l.Namespace()).Create(ctx, old, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	s, err := h.Open(l)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().ConfigMaps(l.Namespace()).Get(ctx, "old-answer", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the task started with the earlier attempt's objects (get old-answer: %v)", err)
	}
	if _, err := cs.AppsV1().ReplicaSets(l.Namespace()).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("the task's setup is missing: %v", err)
	}

	if err := h.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, l.Namespace(), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace %s is still there after Close (get: %v)", l.Namespace(), err)
	}
}

// Open points the lab kubeconfig at the lesson's namespace, and the lab's
// sessions run lesson commands with kubelab's kubectl in that namespace.
func TestOpenFollowsTheLessonAndRunsItsCommandsWithTheLabKubectl(t *testing.T) {
	t.Parallel()
	h := hosttest.New(t, host.Config{Kubelab: hosttest.Kubelab(t)})
	_, ns := clustertest.Namespace(t)
	l := &lesson.Lesson{ID: strings.TrimPrefix(ns, "lab-"), Steps: []lesson.Step{{ID: "one"}}}
	if _, err := h.Open(l); err != nil {
		t.Fatal(err)
	}
	kc, err := clientcmd.LoadFromFile(h.Provider().KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	if got := kc.Contexts[kc.CurrentContext].Namespace; got != ns {
		t.Errorf("the lab kubeconfig's namespace is %q, want %q", got, ns)
	}
	cfg, err := h.EngineConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Owned || cfg.Machine == nil || cfg.RealContainers {
		t.Errorf("engine config on the embedded lab: owned %v, machine %v, real containers %v", cfg.Owned, cfg.Machine, cfg.RealContainers)
	}
	ctx := context.Background()
	if out, err := cfg.Kubectl(ctx, ns, []string{"create", "configmap", "made-by-kubectl"}); err != nil {
		t.Fatalf("kubectl: %v\n%s", err, out)
	}
	if _, err := h.Clients().Client.CoreV1().ConfigMaps(ns).Get(ctx, "made-by-kubectl", metav1.GetOptions{}); err != nil {
		t.Errorf("the command did not run in %s: %v", ns, err)
	}
}

func TestSessionsNeedTheClusterFirst(t *testing.T) {
	t.Parallel()
	h, err := host.New(context.Background(), host.Config{Provider: clustertest.Cluster(t).Provider, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Open(h.Lessons()[0]); err != cluster.ErrNotRunning {
		t.Errorf("Open before Up or Connect: %v, want ErrNotRunning", err)
	}
}

// Without Docker, the backend falls back to embedded and says why from the
// preflight's reason; the backend an Up used is chosen next time.
func TestChooseBackendFallsBackWithTheReasonAndRemembers(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("KUBELAB_BACKEND", "")
	dir := t.TempDir()
	b, notice := host.ChooseBackend(context.Background(), dir)
	if b != cluster.Embedded || notice != "Using the embedded cluster (simulated nodes): no Docker engine found. Real nodes need a running Docker engine." {
		t.Errorf("backend %q, notice %q", b, notice)
	}
	if err := host.RememberBackend(dir, cluster.Kind); err != nil {
		t.Fatal(err)
	}
	if b, notice := host.ChooseBackend(context.Background(), dir); b != cluster.Kind || notice != "" {
		t.Errorf("after remembering kind: backend %q, notice %q", b, notice)
	}
	t.Setenv("KUBELAB_BACKEND", "embedded")
	if b := host.LastBackend(dir); b != cluster.Embedded {
		t.Errorf("$KUBELAB_BACKEND does not win: %q", b)
	}
	// A learner who joined a class: $KUBELAB_BACKEND still wins, and says
	// that it keeps them out of the class.
	if err := host.RememberBackend(dir, cluster.Shared); err != nil {
		t.Fatal(err)
	}
	if b, notice := host.ChooseBackend(context.Background(), dir); b != cluster.Embedded || !strings.Contains(notice, "not the class you joined: unset KUBELAB_BACKEND") {
		t.Errorf("joined, with $KUBELAB_BACKEND=embedded: backend %q, notice %q", b, notice)
	}
	t.Setenv("KUBELAB_BACKEND", "")
	if b, notice := host.ChooseBackend(context.Background(), dir); b != cluster.Shared || notice != "" {
		t.Errorf("joined: backend %q, notice %q", b, notice)
	}
}
