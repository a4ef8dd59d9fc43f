package policy_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// Lint (the loader with the engine's validators) reports every hostile
// command and manifest in one run, each at its own file and line.
func TestLintRefusesEachHostileCommandAndManifestAtItsLine(t *testing.T) {
	t.Parallel()
	var y strings.Builder
	y.WriteString(`format_version: 2
id: hostile
title: Hostile
summary: A lesson pack that tries to leave the lab.
concepts: [safety]
minutes: 1
backends: [embedded]
steps:
  - id: s
    title: s
    text_file: s.md
    goals:
      - {id: g, title: g, exists: {kind: configmap, name: x}}
    hints:
      - text: h
    setup:
`)
	fsys := fstest.MapFS{"hostile/s.md": {Data: []byte("s")}}
	for i, m := range HostileManifests {
		name := fmt.Sprintf("m%d.yaml", i)
		fsys["hostile/"+name] = &fstest.MapFile{Data: []byte(m.yaml)}
		fmt.Fprintf(&y, "      - %s\n", name)
	}
	y.WriteString("    solution:\n      commands:\n")
	lines := map[int]string{}
	for _, h := range Hostile {
		lines[strings.Count(y.String(), "\n")+1] = h.why
		fmt.Fprintf(&y, "        - %s\n", strconv.Quote(h.cmd))
	}
	fsys["hostile/lesson.yaml"] = &fstest.MapFile{Data: []byte(y.String())}

	_, err := lesson.LoadAll(fsys, ".", engine.Validators())
	var ps lesson.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("lint found nothing: %v", err)
	}
	got := map[string]lesson.Problem{}
	for _, p := range ps {
		got[fmt.Sprintf("%s:%d", p.File, p.Line)] = p
	}
	for line, why := range lines {
		p, ok := got[fmt.Sprintf("hostile/lesson.yaml:%d", line)]
		if !ok || !strings.Contains(p.Msg, why) {
			t.Errorf("lesson.yaml:%d: got %q, want a problem saying %q", line, p.Msg, why)
		}
	}
	for i, m := range HostileManifests {
		found := false
		for _, p := range ps {
			if p.File == fmt.Sprintf("hostile/m%d.yaml", i) && p.Line > 0 && strings.Contains(p.Msg, m.why) {
				found = true
			}
		}
		if !found {
			t.Errorf("m%d.yaml: no problem saying %q", i, m.why)
		}
	}
}
