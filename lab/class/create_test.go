package class_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

func TestCreateMakesEachLearnersNamespacesAndFile(t *testing.T) {
	t.Parallel()
	res := newClass(t, "tc1", []string{"ann", "bob"}, []string{"02-pods", "04-services"}, "")
	cs := clustertest.Cluster(t).Client
	ctx := context.Background()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: class.Selector("tc1")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ns := range nss.Items {
		names = append(names, ns.Name)
	}
	slices.Sort(names)
	want := []string{"lab-tc1", "lab-tc1-ann", "lab-tc1-ann-02-pods", "lab-tc1-ann-04-services", "lab-tc1-bob", "lab-tc1-bob-02-pods", "lab-tc1-bob-04-services"}
	if !slices.Equal(names, want) {
		t.Fatalf("class namespaces = %v, want %v", names, want)
	}
	info, err := class.ReadInfo(ctx, cs, class.ClassNamespace("tc1"))
	if err != nil || !slices.Equal(info.Learners, []string{"ann", "bob"}) {
		t.Fatalf("class info = %+v, %v; want learners ann, bob", info, err)
	}
	for _, l := range res.Learners {
		fi, err := os.Stat(l.Kubeconfig)
		if err != nil || fi.Mode().Perm() != 0o600 || !l.New {
			t.Fatalf("learner %+v: kubeconfig %v (mode %v), want a new 0600 file", l, err, fi)
		}
	}
	_, _, m := as(t, kubeconfigOf(t, res, "bob"))
	if m.Class != "tc1" || m.Learner != "bob" || m.Lessons["04-services"] != "lab-tc1-bob-04-services" || m.Home != "lab-tc1-bob" {
		t.Fatalf("bob's membership = %+v", m)
	}
}

func TestCreateAgainAddsOnlyMissingLearners(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	first := newClass(t, "tc2", []string{"ann"}, []string{"02-pods"}, "pods=3")
	ctx := context.Background()
	annFile := kubeconfigOf(t, first, "ann")
	before, _ := os.ReadFile(annFile)
	// The instructor changes the budget: existing objects stay as they were.
	b, _ := class.ParseBudget("pods=9")
	res, err := class.Create(ctx, env.Client, env.Config, class.Spec{Name: "tc2", Learners: []string{"ann", "cat"}, Lessons: []string{"02-pods"}, OutDir: first.Dir, Budget: b})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Learners) != 2 || res.Learners[0].New || res.Learners[0].Kubeconfig != "" || !res.Learners[1].New || res.Learners[1].Kubeconfig == "" {
		t.Fatalf("second create: %+v; want ann kept without a new file, cat new with one", res.Learners)
	}
	after, _ := os.ReadFile(annFile)
	if string(before) != string(after) {
		t.Fatal("ann's kubeconfig was rewritten by the second create")
	}
	q, err := env.Client.CoreV1().ResourceQuotas("lab-tc2-ann-02-pods").Get(ctx, class.BudgetName, metav1.GetOptions{})
	if err != nil || q.Spec.Hard.Pods().Value() != 3 {
		t.Fatalf("ann's quota after the second create: %v %v; want pods=3 unchanged", q, err)
	}
	q, err = env.Client.CoreV1().ResourceQuotas("lab-tc2-cat-02-pods").Get(ctx, class.BudgetName, metav1.GetOptions{})
	if err != nil || q.Spec.Hard.Pods().Value() != 9 {
		t.Fatalf("cat's quota: %v %v; want pods=9", q, err)
	}
	info, err := class.ReadInfo(ctx, env.Client, class.ClassNamespace("tc2"))
	if err != nil || !slices.Equal(info.Learners, []string{"ann", "cat"}) {
		t.Fatalf("class info = %+v, %v; want learners ann, cat", info, err)
	}
	// Asked to, it writes ann a new file, and her info says until when it works.
	old, _ := class.ReadInfo(ctx, env.Client, "lab-tc2-ann")
	res, err = class.Create(ctx, env.Client, env.Config, class.Spec{Name: "tc2", Learners: []string{"ann"}, Lessons: []string{"02-pods"}, OutDir: first.Dir, Reissue: true, Duration: 3 * time.Hour})
	if err != nil || res.Learners[0].Kubeconfig != annFile {
		t.Fatalf("reissue: %+v %v", res, err)
	}
	if after, _ := os.ReadFile(annFile); string(after) == string(before) {
		t.Fatal("reissue did not write ann a new kubeconfig")
	}
	info, err = class.ReadInfo(ctx, env.Client, "lab-tc2-ann")
	if err != nil || !info.Expires.Equal(res.Expires.UTC()) || !info.Expires.After(old.Expires) {
		t.Fatalf("ann's info after reissue: expires %v (was %v), file expires %v: %v", info.Expires, old.Expires, res.Expires, err)
	}
	as(t, annFile) // the new file works
}

func TestParseBudget(t *testing.T) {
	t.Parallel()
	b, err := class.ParseBudget("cpu=2,memory=2Gi,pods=20,services=5")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name("requests.cpu", "").String() != "2" || b.Name("requests.memory", "").String() != "2Gi" || len(b) != 4 || b.Pods().Value() != 20 || b.Name("services", "").Value() != 5 {
		t.Fatalf("budget = %v", b)
	}
	for _, bad := range []string{"", "cpu", "cpu=lots"} {
		if _, err := class.ParseBudget(bad); err == nil {
			t.Errorf("ParseBudget(%q) took it", bad)
		}
	}
}
