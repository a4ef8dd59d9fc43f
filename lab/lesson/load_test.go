package lesson

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

const good = `format_version: 2
id: demo
title: Demo
summary: A demo lesson.
concepts: [pod]
minutes: 5
backends: [embedded]
steps:
  - id: one
    title: First
    text_file: one.md
    goals:
      - id: running
        title: web runs
        field: {object: pod/web, path: '{.status.phase}', equals: Running}
    hints:
      - text: Use kubectl run.
        goal: running
    solution:
      commands: ["kubectl run web --image=nginx"]
`

func load(t *testing.T, files map[string]string, v Validators) (*Lesson, error) {
	t.Helper()
	fsys := fstest.MapFS{"demo/one.md": {Data: []byte("Run a pod.")}}
	for name, data := range files {
		fsys["demo/"+name] = &fstest.MapFile{Data: []byte(data)}
	}
	return Load(fsys, "demo", v)
}

func TestGoodLessonLoads(t *testing.T) {
	t.Parallel()
	l, err := load(t, map[string]string{"lesson.yaml": good}, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != "demo" || len(l.Steps) != 1 || l.Steps[0].Goals[0].Kind() != "field" || l.Namespace() != "lab-demo" {
		t.Fatalf("loaded %+v", l)
	}
	if !slices.Equal(l.Backends, []string{"embedded"}) {
		t.Errorf("backends = %v, want the lesson's own [embedded]", l.Backends)
	}
	all, err := load(t, map[string]string{"lesson.yaml": strings.Replace(good, "backends: [embedded]\n", "", 1)}, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(all.Backends, []string{"embedded", "kind"}) {
		t.Errorf("a lesson that names no backend runs on %v, want every backend", all.Backends)
	}
}

func TestMalformedLessonsNameFileAndLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		want       string // "line: message fragment"
	}{
		{"unknown field", strings.Replace(good, "    title: First\n", "    title: First\n    titel: typo\n", 1), `11: unknown field "titel" in a step`},
		{"bad version", strings.Replace(good, "format_version: 2", "format_version: 7", 1), "1: format_version is 7"},
		{"ref with braces", strings.Replace(good, `"kubectl run web --image=nginx"`, `"kubectl label pod web ip={{ pod/web {.status.podIP} }}"`, 1), "20: {{ pod/web {.status.podIP} }}: write the path without braces, {{ pod/web .status.podIP }}"},
		{"unclosed ref", strings.Replace(good, `"kubectl run web --image=nginx"`, `"kubectl label pod web ip={{ pod/web"`, 1), "20: \"kubectl label pod web ip={{ pod/web\": each {{ needs an object and a path"},
		{"duplicate step", good + "  - id: one\n    title: Again\n    text_file: one.md\n    goals:\n      - id: g\n        title: g\n        exists: {kind: pod, name: x}\n    hints: [{text: h}]\n    solution: {commands: [kubectl get pods]}\n", `21: step id "one" is used twice`},
		{"no hints", strings.Replace(good, "    hints:\n      - text: Use kubectl run.\n        goal: running\n", "", 1), `9: step "one" has no hints`},
		{"no solution", strings.Replace(good, "    solution:\n      commands: [\"kubectl run web --image=nginx\"]\n", "", 1), `9: step "one" has no solution`},
		{"hint for unknown goal", strings.Replace(good, "goal: running", "goal: runing", 1), `18: hint is tied to goal "runing"`},
		{"two goal kinds", strings.Replace(good, "        field: {object: pod/web, path: '{.status.phase}', equals: Running}\n", "        field: {object: pod/web, path: '{.status.phase}', equals: Running}\n        exists: {kind: pod, name: web}\n", 1), `13: goal "running" must have exactly one of`},
		{"missing file", strings.Replace(good, "    text_file: one.md\n", "    text_file: nope.md\n", 1), `11: file "nope.md" does not exist`},
		{"inline text", strings.Replace(good, "    text_file: one.md\n", "    text: Run a pod.\n", 1), `11: unknown field "text" in a step`},
		{"when is gone", strings.Replace(good, "    goals:\n", "    faults:\n      - type: delete-pods\n        when: 20s\n    goals:\n", 1), `14: unknown field "when" in a fault`},
		{"unknown panel", strings.Replace(good, "    title: First\n", "    title: First\n    panel: graphs\n", 1), `11: panel "graphs" is not known`},
		{"not yaml", "id: [unclosed\n", "1:"},
		{"not kubectl", strings.Replace(good, "kubectl run web", "rm -rf / ; kubectl run web", 1), "20: solution commands are kubectl commands"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, map[string]string{"lesson.yaml": c.yaml}, Validators{})
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			if !strings.Contains(err.Error(), "demo/lesson.yaml:"+c.want) {
				t.Fatalf("problems:\n%v\nwant one containing %q", err, "demo/lesson.yaml:"+c.want)
			}
		})
	}
}

func TestValidatorsReportAtTheirLine(t *testing.T) {
	t.Parallel()
	v := Validators{
		Fault: func(kind string, _ map[string]string) error { return fmt.Errorf("unknown fault type %q", kind) },
		Goal:  func(g Goal) error { return fmt.Errorf("checked %s", g.ID) },
	}
	y := strings.Replace(good, "    goals:\n", "    faults:\n      - type: meteor\n    goals:\n", 1)
	_, err := load(t, map[string]string{"lesson.yaml": y}, v)
	for _, want := range []string{`demo/lesson.yaml:13: unknown fault type "meteor"`, "demo/lesson.yaml:17: checked running"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("problems:\n%v\nwant %q", err, want)
		}
	}
}

func TestDuplicateLessonIDs(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"a/lesson.yaml": &fstest.MapFile{Data: []byte(good)},
		"b/lesson.yaml": &fstest.MapFile{Data: []byte(good)},
		"a/one.md":      &fstest.MapFile{Data: []byte("Run a pod.")},
		"b/one.md":      &fstest.MapFile{Data: []byte("Run a pod.")},
	}
	_, err := LoadAll(fsys, ".", Validators{})
	if err == nil || !strings.Contains(err.Error(), `b/lesson.yaml:1: lesson id "demo" is already used by a`) {
		t.Fatalf("err = %v", err)
	}
}

// FuzzLoad: no input makes the loader panic; every failure is a list of
// file:line problems or a plain error.
func FuzzLoad(f *testing.F) {
	f.Add(good)
	f.Add("steps: [{goals: [{field: {}}]}]")
	f.Add("format_version: 1\nsteps:\n  - hints: [{goal: x}]\n    faults: [{kind: ''}]\n")
	f.Fuzz(func(t *testing.T, data string) {
		fsys := fstest.MapFS{"demo/lesson.yaml": &fstest.MapFile{Data: []byte(data)}}
		l, err := Load(fsys, "demo", Validators{Goal: func(Goal) error { return nil }, Fault: func(string, map[string]string) error { return nil }})
		if err == nil && l == nil {
			t.Fatal("no lesson and no error")
		}
	})
}
