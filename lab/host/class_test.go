package host_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/host/hosttest"
)

// joined is a learner's kubelab after `kubelab join`, with a state
// directory of its own (as on another machine).
func joined(t *testing.T, kubeconfig string) *host.Lab {
	t.Helper()
	return joinedWith(t, kubeconfig, host.Config{})
}

func joinedWith(t *testing.T, kubeconfig string, cfg host.Config) *host.Lab {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	sp, err := shared.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Join(ctx, kubeconfig); err != nil {
		t.Fatalf("join with %s: %v", kubeconfig, err)
	}
	cfg.Provider, cfg.StateDir, cfg.Kubelab = sp, dir, hosttest.Kubelab(t)
	h, err := host.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Up(ctx, nil); err != nil {
		t.Fatalf("up on the class cluster: %v", err)
	}
	return h
}

// waitFor waits for an event of kind from s.
func waitFor(t *testing.T, s *engine.Session, kind engine.EventKind, what string) {
	t.Helper()
	timeout := time.After(90 * time.Second)
	for {
		select {
		case e, ok := <-s.Events():
			if !ok {
				t.Fatalf("%s: the session closed", what)
			}
			if e.Kind == kind {
				return
			}
			if e.Kind == engine.EventProblem {
				t.Logf("%s: problem: %s", what, e.Message)
			}
		case <-timeout:
			t.Fatalf("%s: not within 90s", what)
		}
	}
}

// A class of five; two learners join from their own state directories;
// one solves a step, the other solves and then breaks it; the instructor
// reads both learners' published progress back.
func TestClassTwoLearnersPublishTheirProgress(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	ctx := context.Background()
	learners := class.Learners(5)
	res, err := class.Create(ctx, env.Client, env.Config, class.Spec{Name: "hc5", Learners: learners, Lessons: []string{"pods", "services"}, OutDir: filepath.Join(t.TempDir(), "files")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = class.Delete(context.Background(), env.Client, "hc5", false) })
	ann, bob := joined(t, res.Learners[0].Kubeconfig), joined(t, res.Learners[1].Kubeconfig)
	if ann.Backend() != "shared" {
		t.Fatalf("backend %s, want shared", ann.Backend())
	}
	var pods = func(h *host.Lab) *engine.Session {
		t.Helper()
		l, err := host.FindLesson(h.Lessons(), "pods")
		if err != nil {
			t.Fatal(err)
		}
		s, err := h.Open(l)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		if err := s.Start(ctx, 0); err != nil {
			t.Fatalf("start pods/run as a learner: %v", err)
		}
		return s
	}
	sa, sb := pods(ann), pods(bob)
	if want := class.LessonNamespace("hc5", learners[0], "pods"); sa.Namespace() != want {
		t.Fatalf("ann's lesson runs in %s, want %s", sa.Namespace(), want)
	}
	for _, s := range []*engine.Session{sa, sb} {
		if err := s.ApplySolution(ctx); err != nil {
			t.Fatalf("solve pods/run in %s: %v", s.Namespace(), err)
		}
		waitFor(t, s, engine.EventStepPassed, "pods/run passes in "+s.Namespace())
	}
	if _, n, ok := sb.NextHint(); !ok || n != 1 {
		t.Fatalf("bob's first hint: %d %v", n, ok)
	}
	broke := time.Now().UTC().Truncate(time.Second)
	// Bob breaks it: his pod goes.
	zero := int64(0)
	if err := ann.Clients().Client.CoreV1().Pods(sb.Namespace()).Delete(ctx, "web", metav1.DeleteOptions{}); err == nil {
		t.Fatal("ann could delete bob's pod")
	}
	if err := bob.Clients().Client.CoreV1().Pods(sb.Namespace()).Delete(ctx, "web", metav1.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	read := func(learner string) class.Published {
		pub, ok, err := class.ReadPublished(ctx, env.Client.CoreV1().ConfigMaps(class.HomeNamespace("hc5", learner)))
		if err != nil || !ok {
			return class.Published{}
		}
		return pub
	}
	clustertest.Eventually(t, 30*time.Second, "ann's published step passes", func(context.Context) (bool, string) {
		p := read(learners[0])
		return p.Current != nil && p.Current.Passed && slices.Contains(p.Lessons["pods"].Done, "run"), jsonish(p)
	})
	clustertest.Eventually(t, 30*time.Second, "bob's published step fails again", func(context.Context) (bool, string) {
		p := read(learners[1])
		if p.Current == nil || p.Current.Passed || p.Current.Hints != 1 || !slices.Contains(p.Lessons["pods"].Done, "run") {
			return false, jsonish(p)
		}
		for _, g := range p.Current.Goals {
			if !g.Passing && !g.Since.Before(broke) {
				return true, ""
			}
		}
		return false, jsonish(p)
	})
	a, b := read(learners[0]), read(learners[1])
	if a.Class != "hc5" || a.Learner != learners[0] || b.Learner != learners[1] || a.Current.Step != "run" || a.Current.Count != len(sa.Lesson.Steps) || a.Current.Hints != 0 || b.Lessons["pods"].Hints != 1 {
		t.Fatalf("published: ann %+v, bob %+v", a, b)
	}
	for _, g := range a.Current.Goals {
		if !g.Passing || g.Since.IsZero() || g.Since.After(time.Now()) {
			t.Errorf("ann's goal %+v: want passing since a moment ago", g)
		}
	}
	// Three learners never joined: their progress is still empty.
	if _, ok, err := class.ReadPublished(ctx, env.Client.CoreV1().ConfigMaps(class.HomeNamespace("hc5", learners[4]))); ok || err != nil {
		t.Fatalf("a learner who never joined published something: %v %v", ok, err)
	}
}

func jsonish(p class.Published) string {
	if p.Current == nil {
		return "no current step"
	}
	return p.Current.Step + " passed=" + map[bool]string{true: "yes", false: "no"}[p.Current.Passed]
}

// A fault strikes in the learner's own namespace and nowhere else; a step
// with a container fault is refused with its sentence, and the shared
// cluster's machine refuses too.
func TestClassFaultsStayInTheLearnersNamespace(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	ctx := context.Background()
	fsys, all, err := host.LessonsAt("testdata/classfaults")
	if err != nil {
		t.Fatal(err)
	}
	res, err := class.Create(ctx, env.Client, env.Config, class.Spec{Name: "hcf", Learners: []string{"ann", "bob"}, Lessons: []string{"faulty"}, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = class.Delete(context.Background(), env.Client, "hcf", false) })
	// Bob's pod, with the label ann's fault deletes.
	bobs := class.LessonNamespace("hcf", "bob", "faulty")
	if _, err := env.Client.CoreV1().Pods(bobs).Create(ctx, webPod(), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ann := joinedWith(t, res.Learners[0].Kubeconfig, host.Config{LessonsFS: fsys, Lessons: all})
	s, err := ann.Open(all[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, s, engine.EventFaultInjected, "the delete-pods fault strikes")
	clustertest.Eventually(t, 30*time.Second, "ann's pod is deleted", func(ctx context.Context) (bool, string) {
		p, err := env.Client.CoreV1().Pods(s.Namespace()).Get(ctx, "web", metav1.GetOptions{})
		return err != nil || p.DeletionTimestamp != nil, "still there"
	})
	if p, err := env.Client.CoreV1().Pods(bobs).Get(ctx, "web", metav1.GetOptions{}); err != nil || p.DeletionTimestamp != nil {
		t.Fatalf("bob's pod was touched by ann's fault: %v", err)
	}
	err = s.Start(ctx, 1)
	var ue *engine.UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "kills a container") || strings.Contains(err.Error(), "forbidden") {
		t.Fatalf("start the container-kill step on a class cluster: %v; want its one sentence", err)
	}
	if err := ann.Provider().KillContainer(ctx, s.Namespace(), "web", "web"); !errors.Is(err, shared.ErrMachine) {
		t.Fatalf("kill a container on the class cluster: %v, want refused", err)
	}
	// Reset empties ann's namespace but keeps what the class put there.
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("reset on the class cluster: %v", err)
	}
	if _, err := env.Client.RbacV1().RoleBindings(s.Namespace()).Get(ctx, class.AdminBinding, metav1.GetOptions{}); err != nil {
		t.Fatalf("reset removed the learner's own access: %v", err)
	}
	if _, err := env.Client.CoreV1().ResourceQuotas(s.Namespace()).Get(ctx, class.BudgetName, metav1.GetOptions{}); err != nil {
		t.Fatalf("reset removed the budget: %v", err)
	}
}

func webPod() *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web", Labels: map[string]string{"app": "web"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "kubelab/app:v1"}}}}
}

// Credentials revoked while the lab runs: its health says the one sentence,
// and the raw refusal is in the log.
func TestClassRevokedMidSessionSaysAskTheInstructor(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	ctx := context.Background()
	res, err := class.Create(ctx, env.Client, env.Config, class.Spec{Name: "hcr", Learners: []string{"ann"}, Lessons: []string{"pods"}, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = class.Delete(context.Background(), env.Client, "hcr", false) })
	ann := joined(t, res.Learners[0].Kubeconfig)
	if st, why := ann.Health(ctx); st != "running" {
		t.Fatalf("health before: %s %s", st, why)
	}
	if err := env.Client.CoreV1().ServiceAccounts("lab-hcr-ann").Delete(ctx, class.LearnerServiceAccount, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30*time.Second, "health says to ask the instructor", func(ctx context.Context) (bool, string) {
		st, why := ann.Health(ctx)
		return st != "running" && why == class.ErrCredentials.Error(), string(st) + ": " + why
	})
	if err := ann.Up(ctx, nil); !errors.Is(err, class.ErrCredentials) {
		t.Fatalf("up with revoked credentials: %v", err)
	}
	log, _ := os.ReadFile(ann.LogPath())
	if !strings.Contains(string(log), "class cluster") {
		t.Fatalf("the log keeps no raw refusal: %q", log)
	}
}
