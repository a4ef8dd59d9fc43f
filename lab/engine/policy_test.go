package engine_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// hostileLesson is a lesson that never went through lint: one step whose
// solution is cmd and whose setup is the manifest setup (if any).
func hostileLesson(id, cmd, setup string) (*lesson.Lesson, fstest.MapFS) {
	fsys := fstest.MapFS{"h/ok.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")}}
	st := lesson.Step{ID: "s", Title: "s", Text: "s",
		Goals: []lesson.Goal{{ID: "g", Title: "g", Exists: &lesson.ExistsGoal{Kind: "configmap", Name: "never"}}},
		Hints: []lesson.Hint{{Text: "h"}}, Solution: lesson.Solution{Commands: []string{cmd}}}
	if setup != "" {
		fsys["h/setup.yaml"] = &fstest.MapFile{Data: []byte(setup)}
		st.Setup = []string{"setup.yaml"}
	}
	return &lesson.Lesson{FormatVersion: lesson.FormatVersion, ID: id, Title: id, Dir: "h", Steps: []lesson.Step{st}}, fsys
}

// The engine refuses what lint refuses, for a lesson that skipped lint: the
// command never runs, and nothing changes outside the lesson's namespace.
func TestEngineRefusesHostileSolutionsWithoutLint(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	env := clustertest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for i, tc := range []struct{ cmd, why string }{
		{"kubectl create namespace pwned-by-lesson --kubeconfig " + env.Kubeconfig, "--kubeconfig is refused"},
		{"kubectl create namespace pwned-by-lesson", "kubectl create namespace is refused"},
		{"kubectl create configmap pwned -n default --from-literal=a=b", "--namespace is refused"},
		{"kubectl create configmap pwned --context x --from-literal=a=b", "--context is refused"},
		{"kubectl label node kubelab-worker pwned=yes", "nodes live outside"},
		{"kubectl apply -f /etc/passwd", "only files inside the lesson's folder"},
		{"kubectl create clusterrolebinding pwned --clusterrole=cluster-admin --user=me", "is refused"},
		{"kubectl label pod web x={{ pv/anything .metadata.name }}", "reads only the lesson's namespace"},
	} {
		l, fsys := hostileLesson("hostile-cmd-"+string(rune('a'+i)), tc.cmd, "")
		c := cfg
		c.Lessons = fsys
		s := engine.Open(c, l)
		if err := s.Start(ctx, 0); err != nil {
			t.Fatalf("%s: start: %v", tc.cmd, err)
		}
		err := s.ApplySolution(ctx)
		_ = s.Cleanup(ctx)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: ApplySolution = %v, want it refused (%q)", tc.cmd, err, tc.why)
		}
	}
	if _, err := env.Client.CoreV1().Namespaces().Get(ctx, "pwned-by-lesson", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("namespace pwned-by-lesson: %v, want not found", err)
	}
	if _, err := env.Client.CoreV1().ConfigMaps("default").Get(ctx, "pwned", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("configmap default/pwned: %v, want not found", err)
	}
	node, err := env.Client.CoreV1().Nodes().Get(ctx, "kubelab-worker", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if node.Labels["pwned"] != "" {
		t.Errorf("node kubelab-worker was labelled: %v", node.Labels)
	}
	if _, err := env.Client.RbacV1().ClusterRoleBindings().Get(ctx, "pwned", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("clusterrolebinding pwned: %v, want not found", err)
	}
}

// Setup manifests that skipped lint are refused before anything is applied.
func TestEngineRefusesHostileSetupWithoutLint(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	env := clustertest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, fsys := hostileLesson("hostile-setup", "kubectl get pods",
		"kind: ConfigMap\nmetadata: {name: first}\n---\nkind: ClusterRoleBinding\nmetadata: {name: pwned}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: me}]\n")
	cfg.Lessons = fsys
	s := engine.Open(cfg, l)
	defer func() { _ = s.Cleanup(ctx) }()
	err := s.Start(ctx, 0)
	if err == nil || !strings.Contains(err.Error(), "setup.yaml:4: kind ClusterRoleBinding is refused") {
		t.Fatalf("Start = %v, want the ClusterRoleBinding refused at setup.yaml:4", err)
	}
	if _, err := env.Client.CoreV1().ConfigMaps(l.Namespace()).Get(ctx, "first", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("configmap first of the refused file: %v, want nothing applied", err)
	}
	if _, err := env.Client.RbacV1().ClusterRoleBindings().Get(ctx, "pwned", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("clusterrolebinding pwned: %v, want not found", err)
	}
}

// A solution may use a file of its own lesson: the engine hands kubectl a
// copy of it.
func TestEngineAppliesALessonFileNamedByASolution(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	env := clustertest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, fsys := hostileLesson("lesson-file", "kubectl apply -f ok.yaml", "")
	cfg.Lessons = fsys
	s := engine.Open(cfg, l)
	defer func() { _ = s.Cleanup(ctx) }()
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplySolution(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Client.CoreV1().ConfigMaps(l.Namespace()).Get(ctx, "ok", metav1.GetOptions{}); err != nil {
		t.Errorf("configmap ok from the lesson's file: %v", err)
	}
}
