package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// The classroom's journey in real terminals: an instructor makes a class of
// 5 on kubelab's own cluster and watches it; two learners join from their
// own state directories and open the first lesson; one solves the step, the
// other gets it wrong; the instructor's grid shows both within seconds, and
// a learner's goals one by one. Then the class is deleted.
func TestJourneyClassroomInRealTerminals(t *testing.T) {
	t.Parallel()
	teacher := newCLI(t)
	teacher.up()
	out := filepath.Join(teacher.home, "kubeconfigs")
	teacher.ok("class", "create", "jc", "--learners", "5", "--out", out, "--lesson", "cluster")

	x := newTmux(t, teacher)
	session := func(name string, c *labCLI, args ...string) {
		a := []string{"new-window", "-d", "-n", name}
		if name == "watch" {
			a = []string{"new-session", "-d", "-s", "room", "-n", name, "-x", "140", "-y", "30"}
		}
		a = append(a, "-e", "KUBELAB_BACKEND=") // the tmux server has the instructor's; a learner's comes from their class
		for _, e := range c.env {
			if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "KUBELAB_") {
				a = append(a, "-e", e)
			}
		}
		x.run(append(append(a, c.bin), args...)...)
	}
	session("watch", teacher, "class", "watch", "jc")
	x.waitFor("room:watch", "learner-05")

	learners := map[string]kubernetes.Interface{}
	for _, name := range []string{"learner-01", "learner-02"} {
		c := newCLI(t)
		c.env = slices.DeleteFunc(c.env, func(e string) bool { return e == "KUBELAB_BACKEND=embedded" }) // the class chooses
		kc := filepath.Join(out, name+".kubeconfig")
		if got := c.ok("join", kc); !strings.Contains(got, "Joined class jc as "+name) {
			t.Fatalf("join %s said:\n%s", name, got)
		}
		session(name, c)
		x.waitFor("room:"+name, "What Kubernetes is")
		x.run("send-keys", "-t", "room:"+name, "Enter")
		x.waitFor("room:"+name, "there is no configmap named my-cluster")
		learners[name] = learnerClient(t, kc)
	}
	x.waitFor("room:watch", "1/")

	// learner-01 solves the step; learner-02 counts the control plane too.
	for name, workers := range map[string]string{"learner-01": "2", "learner-02": "3"} {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-cluster"}, Data: map[string]string{"workers": workers}}
		if _, err := learners[name].CoreV1().ConfigMaps(class.LessonNamespace("jc", name, "cluster")).Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
			t.Fatalf("%s creates the configmap: %v", name, err)
		}
	}
	x.waitFor("room:learner-01", "Step complete!")
	clustertest.Eventually(t, 15*time.Second, "the grid shows learner-01 passed and learner-02 working", func(context.Context) (bool, string) {
		s := x.screen("room:watch")
		var one, two string
		for _, line := range strings.Split(s, "\n") {
			switch {
			case strings.Contains(line, "learner-01"):
				one = line
			case strings.Contains(line, "learner-02"):
				two = line
			}
		}
		return strings.Contains(one, "step passed") && strings.Contains(two, "0/1") && strings.Contains(two, "working"), s
	})
	// The instructor opens learner-02's goals.
	x.run("send-keys", "-t", "room:watch", "j")
	x.run("send-keys", "-t", "room:watch", "Enter")
	x.waitFor("room:watch", "✗ ConfigMap my-cluster says how many worker nodes")
	x.run("send-keys", "-t", "room:watch", "q")

	got := teacher.ok("class", "report", "jc", "--format", "csv")
	if !strings.Contains(got, "learner-01,true") || !strings.Contains(got, "learner-03,false") {
		t.Errorf("class report:\n%s", got)
	}
	teacher.ok("class", "delete", "jc")
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("the kubeconfig folder went: %v", err)
	}
}

// learnerClient works as the learner of kubeconfig kc.
func learnerClient(t *testing.T, kc string) kubernetes.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", kc)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
