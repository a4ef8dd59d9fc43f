package class_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

func TestMain(m *testing.M) { clustertest.Main(m) }

// newClass creates class name of learners on the test cluster, with the
// lessons given, and deletes it when t ends.
func newClass(t *testing.T, name string, learners []string, lessons []string, budget string) *class.Result {
	t.Helper()
	env := clustertest.Cluster(t)
	spec := class.Spec{Name: name, Learners: learners, Lessons: lessons, OutDir: filepath.Join(t.TempDir(), "out"), Duration: time.Hour}
	if budget != "" {
		b, err := class.ParseBudget(budget)
		if err != nil {
			t.Fatal(err)
		}
		spec.Budget = b
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := class.Create(ctx, env.Client, env.Config, spec)
	if err != nil {
		t.Fatalf("create class %s: %v", name, err)
	}
	t.Cleanup(func() { _, _ = class.Delete(context.Background(), env.Client, name, false) })
	return res
}

// as returns a client that works as the learner of kubeconfig file.
func as(t *testing.T, kubeconfig string) (kubernetes.Interface, *rest.Config, class.Membership) {
	t.Helper()
	m, cfg, err := class.Check(context.Background(), kubeconfig)
	if err != nil {
		t.Fatalf("check %s: %v", kubeconfig, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs, cfg, m
}

func kubeconfigOf(t *testing.T, res *class.Result, learner string) string {
	t.Helper()
	for _, l := range res.Learners {
		if l.Name == learner {
			if l.Kubeconfig == "" {
				t.Fatalf("no kubeconfig was written for %s", learner)
			}
			return l.Kubeconfig
		}
	}
	t.Fatalf("class %s has no learner %s", res.Class, learner)
	return ""
}
