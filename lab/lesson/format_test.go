package lesson_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

const v1 = `format_version: 1
id: old
title: Old
summary: A lesson in the first format.
concepts: [pod]
minutes: 5
backends: [embedded]
steps:
  - id: one
    title: First
    text_file: one.md
    goals:
      - id: image
        title: web runs v1
        field: {object: pod/web, path: "spec.containers[0].image", equals: "kubelab/app:v1"}
      - id: name
        title: web is named
        field: {object: pod/web, path: "metadata.labels['app.kubernetes.io/name']", equals: web}
      - id: there
        title: web exists
        exists: {kind: pod, name: web}
    hints: [{text: Use kubectl run.}]
    solution:
      commands:
        - kubectl run web --image=kubelab/app:v1 --labels=app.kubernetes.io/name=web
        - "kubectl label pod web node={{ pod/web spec.nodeName }} ip={{ pod/web status.podIP }}"
`

// A format_version 1 lesson gets one problem per old path, at its line,
// saying how format_version 2 writes it; what it says is kubectl JSONPath
// that kubelab's checker accepts and that reads the same field.
func TestFormatV1PathsAreExplainedOneByOne(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"old/lesson.yaml": &fstest.MapFile{Data: []byte(v1)}, "old/one.md": &fstest.MapFile{Data: []byte("Run a pod.")}}
	_, err := lesson.Load(fsys, "old", lesson.Validators{Goal: check.Validate, Ref: check.ValidateRef})
	var ps lesson.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v, want problems", err)
	}
	want := []string{
		"old/lesson.yaml:1: format_version 1 is the old format: set format_version: 2",
		`old/lesson.yaml:15: format_version 1 path "spec.containers[0].image": in format_version 2 write path: '{.spec.containers[0].image}' (try it: kubectl get pod/web -o jsonpath='{.spec.containers[0].image}')`,
		`old/lesson.yaml:18: format_version 1 path "metadata.labels['app.kubernetes.io/name']": in format_version 2 write path: '{.metadata.labels.app\.kubernetes\.io/name}'`,
		"old/lesson.yaml:26: format_version 1 reference {{ pod/web spec.nodeName }}: in format_version 2 write {{ pod/web .spec.nodeName }} (try it: kubectl get pod/web -o jsonpath='{.spec.nodeName}')",
		"old/lesson.yaml:26: format_version 1 reference {{ pod/web status.podIP }}: in format_version 2 write {{ pod/web .status.podIP }}",
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(ps), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("problems:\n%v\nlack %q", err, w)
		}
	}
	pod := map[string]any{
		"metadata": map[string]any{"labels": map[string]any{"app.kubernetes.io/name": "web"}},
		"spec":     map[string]any{"containers": []any{map[string]any{"image": "kubelab/app:v1"}}},
	}
	advice := regexp.MustCompile(`write path: '([^']+)'`)
	for i, want := range []string{"kubelab/app:v1", "web"} {
		m := advice.FindStringSubmatch(ps[1+i].Msg)
		if m == nil {
			t.Fatalf("no advice in %q", ps[1+i].Msg)
		}
		if v, ok := check.Field(pod, m[1]); !ok || v != want {
			t.Errorf("the advised %s reads %q (set %v), want %q", m[1], v, ok, want)
		}
	}
}

// In format_version 2, refs are checked like goal paths.
func TestRefsAreCheckedAsJSONPath(t *testing.T) {
	t.Parallel()
	y := strings.Replace(v1, "format_version: 1", "format_version: 2", 1)
	y = strings.NewReplacer(`"spec.containers[0].image"`, `'{.spec.containers[?(@.name=="web")].image}'`,
		`"metadata.labels['app.kubernetes.io/name']"`, `'{.metadata.labels.app\.kubernetes\.io/name}'`,
		"{{ pod/web spec.nodeName }}", "{{ pod/web .spec.nodeName }}", "{{ pod/web status.podIP }}", "{{ pdo/web .status.podIP }}").Replace(y)
	fsys := fstest.MapFS{"new/lesson.yaml": &fstest.MapFile{Data: []byte(y)}, "new/one.md": &fstest.MapFile{Data: []byte("Run a pod.")}}
	_, err := lesson.Load(fsys, "new", lesson.Validators{Goal: check.Validate, Ref: check.ValidateRef})
	var ps lesson.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(ps[0].String(), `new/lesson.yaml:26: {{ pdo/web .status.podIP }}: unknown kind "pdo"`) {
		t.Fatalf("problems = %v, want only the unknown kind at line 26", err)
	}
	y = strings.Replace(y, "pdo/web .status.podIP", "pod/web status.podIP", 1)
	fsys["new/lesson.yaml"] = &fstest.MapFile{Data: []byte(y)}
	_, err = lesson.Load(fsys, "new", lesson.Validators{Goal: check.Validate, Ref: check.ValidateRef})
	if err == nil || !strings.Contains(err.Error(), "new/lesson.yaml:26: {{ pod/web status.podIP }}: path \"{status.podIP}\": fields start with a dot, as in {.status.podIP}") {
		t.Fatalf("problems = %v", err)
	}
}
