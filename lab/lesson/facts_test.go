package lesson_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// A class's shared cluster: three control-plane nodes, five workers.
var classNodes = map[string][]string{
	"cp-a": {"control-plane"}, "cp-b": {"control-plane"}, "cp-c": {"control-plane", "etcd"},
	"w-1": nil, "w-2": {"gpu"}, "w-3": nil, "w-4": nil, "w-5": nil,
}

// builtin is the built-in lesson id, as loaded.
func builtin(t *testing.T, id string) *lesson.Lesson {
	t.Helper()
	all, err := lesson.LoadAll(lessons.FS(), ".", engine.Validators())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no built-in lesson %s", id)
	return nil
}

func TestNodeFactsCountWorkersAndNameTheFirstOfEach(t *testing.T) {
	t.Parallel()
	f := lesson.NodeFacts(classNodes)
	want := lesson.Facts{"nodes": "8", "workers": "5", "control-plane": "cp-a", "worker": "w-1"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %q, want %q (facts %v)", k, f[k], v, f)
		}
	}
	// A managed cluster shows no control plane.
	f = lesson.NodeFacts(map[string][]string{"gke-pool-1": nil, "gke-pool-2": nil})
	if f["workers"] != "2" || f["control-plane"] != "" || f["nodes"] != "2" {
		t.Errorf("managed cluster: %v", f)
	}
}

// The first lesson on a class cluster: its goals, hints, commands and
// text say that cluster's workers and control plane, and the lesson as
// loaded (shared by every session) is left as written.
func TestLocalizeFillsInTheClusterEverywhere(t *testing.T) {
	t.Parallel()
	l := builtin(t, "cluster")
	loc := l.Localize(lesson.NodeFacts(classNodes))
	why, cp := loc.Steps[0], loc.Steps[1]
	if got := *why.Goals[0].Field.Equals; got != "5" {
		t.Errorf("workers goal wants %q, want 5", got)
	}
	if got := why.Solution.Commands[0]; got != "kubectl create configmap my-cluster --from-literal=workers=5" {
		t.Errorf("solution: %q", got)
	}
	if got := why.Reject[0].Commands[0]; !strings.HasSuffix(got, "workers=8") {
		t.Errorf("reject: %q", got)
	}
	if got := why.Hints[len(why.Hints)-1].Text; !strings.HasPrefix(got, "There are 5 workers.") {
		t.Errorf("last hint: %q", got)
	}
	if got := *cp.Goals[0].Field.Equals; got != "cp-a" {
		t.Errorf("control-plane goal wants %q", got)
	}
	if !strings.Contains(cp.Reject[0].Commands[0], `"w-1"`) {
		t.Errorf("reject names %q, want the worker w-1", cp.Reject[0].Commands[0])
	}
	text, err := loc.StepText(lessons.FS(), &cp)
	if err != nil || !strings.Contains(text, "kubectl describe node w-1\n") {
		t.Errorf("text: %v\n%s", err, text)
	}
	// The lesson as loaded: its own text says kubelab's clusters.
	if *l.Steps[0].Goals[0].Field.Equals != "{{ cluster.workers }}" {
		t.Errorf("Localize changed the lesson it copied: %q", *l.Steps[0].Goals[0].Field.Equals)
	}
	text, _ = l.StepText(lessons.FS(), &l.Steps[1])
	if !strings.Contains(text, "kubectl describe node kubelab-worker\n") {
		t.Errorf("the lesson as loaded reads:\n%s", text)
	}
	if !l.Steps[1].UsesFact("control-plane") || l.Steps[2].UsesFact("control-plane") {
		t.Error("UsesFact: step control-plane uses control-plane, the next step does not")
	}
}

func TestLintNamesAnUnknownFactAtItsLine(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"n/lesson.yaml": {Data: []byte(`format_version: 2
id: n
title: Nodes
summary: Count them.
concepts: [node]
minutes: 5
steps:
  - id: count
    title: Count
    text_file: count.md
    goals:
      - id: counted
        title: counted
        field: {object: configmap/c, path: '{.data.n}', equals: "{{ cluster.worker-count }}"}
    hints:
      - text: kubectl get nodes
    questions:
      - id: how-many
        text: How many workers has this cluster?
        choices: ["{{ cluster.workers }}", "none"]
        answers: [0]
        explanation: Count them.
        topic: node
    solution:
      commands:
        - kubectl create configmap c --from-literal=n={{ cluster.workers }}
`)},
		"n/count.md": {Data: []byte("Count them.\n\n    kubectl describe node {{ cluster.node }}\n")},
	}
	_, err := lesson.LoadAll(fsys, ".", engine.Validators())
	var ps lesson.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("lint found nothing: %v", err)
	}
	want := []struct {
		file string
		line int
		says string
	}{
		{"n/lesson.yaml", 14, `knows no cluster fact "worker-count"; it knows nodes, workers,`},
		{"n/lesson.yaml", 20, "cannot say {{ cluster.NAME }}"},
		{"n/count.md", 3, `knows no cluster fact "node"`},
	}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(ps), len(want), ps.Error())
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || p.File == w.file && p.Line == w.line && strings.Contains(p.Msg, w.says)
		}
		if !found {
			t.Errorf("no problem at %s:%d saying %q:\n%v", w.file, w.line, w.says, ps.Error())
		}
	}
}

// The storage lesson on a cluster whose default StorageClass is gp3: the
// goal, its title and the manifests the lesson applies say gp3.
func TestLocalizeFillsInTheStorageClassInGoalsAndFiles(t *testing.T) {
	t.Parallel()
	l := builtin(t, "storage")
	f := lesson.NodeFacts(classNodes)
	f[lesson.FactStorageClass] = "gp3"
	loc := l.Localize(f)
	_, st, ok := loc.Step("dynamic")
	if !ok {
		t.Fatal("no step dynamic")
	}
	var class *lesson.Goal
	for i := range st.Goals {
		if st.Goals[i].ID == "class" {
			class = &st.Goals[i]
		}
	}
	if class == nil || *class.Field.Equals != "gp3" || !strings.HasSuffix(class.Title, "(gp3)") {
		t.Fatalf("class goal: %+v", class)
	}
	data, err := loc.ReadFile(lessons.FS(), st.Accept[0].Manifests[0])
	if err != nil || !strings.Contains(string(data), `storageClassName: "gp3"`) {
		t.Errorf("accepted manifest: %v\n%s", err, data)
	}
	data, _ = l.ReadFile(lessons.FS(), st.Accept[0].Manifests[0])
	if !strings.Contains(string(data), `storageClassName: "standard"`) {
		t.Errorf("the lesson as loaded applies:\n%s", data)
	}
}
