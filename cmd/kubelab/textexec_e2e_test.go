//go:build e2e

package main

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
)

// execRE finds a `kubectl exec ...` a lesson text or hint tells the learner
// to run, in a code span or on a code block's line.
var execRE = regexp.MustCompile("kubectl exec[^`\n]*")

// textExecs lists, per step index, the kubectl exec commands of step i's
// text and hints, in the order they appear.
func textExecs(t *testing.T, fsys fs.FS, l *lesson.Lesson) map[int][]string {
	t.Helper()
	out := map[int][]string{}
	for i, st := range l.Steps {
		text, err := l.StepText(fsys, &l.Steps[i])
		if err != nil {
			t.Fatal(err)
		}
		all := text
		for _, h := range st.Hints {
			all += "\n" + h.Text
		}
		for _, m := range execRE.FindAllString(all, -1) {
			out[i] = append(out[i], strings.TrimSpace(m))
		}
	}
	return out
}

// proveTextExecs runs every kubectl exec the lessons show, on kind, where
// the text shows it: the step started and solved, then each command in
// order must succeed (the lesson app's image holds the client commands).
func proveTextExecs(t *testing.T, fsys fs.FS, ecfg engine.Config, all []*lesson.Lesson) {
	ran := 0
	for _, l := range all {
		for i, cmds := range textExecs(t, fsys, l) {
			s := engine.Open(ecfg, l)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			if err := s.Start(ctx, i); err != nil {
				t.Fatalf("%s step %s: %v", l.ID, l.Steps[i].ID, err)
			}
			if err := s.ApplySolution(ctx); err != nil {
				t.Fatalf("%s step %s: %v", l.ID, l.Steps[i].ID, err)
			}
			solved := false
			for deadline := time.Now().Add(2 * time.Minute); !solved && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
				solved = check.AllPass(s.Results())
			}
			if !solved {
				t.Errorf("%s step %s not solved before its commands: %+v", l.ID, l.Steps[i].ID, s.Results())
			}
			for _, line := range cmds {
				if strings.Contains(line, "<") {
					t.Errorf("%s step %s shows %q, which has a placeholder: show a command that runs as written", l.ID, l.Steps[i].ID, line)
					continue
				}
				c, err := policy.Parse(line)
				if err != nil {
					t.Errorf("%s step %s shows %q: %v", l.ID, l.Steps[i].ID, line, err)
					continue
				}
				// The goals see a Service's ready endpoints; kube-proxy
				// programs the node's rules for them a moment later, and
				// until then a call is refused. A learner who is that quick
				// runs it again: so does the test, for a few seconds.
				out, err := ecfg.Kubectl(ctx, s.Namespace(), c.Args)
				for try := 1; err != nil && strings.Contains(out, "connection refused") && try <= 5; try++ {
					t.Logf("kind: %s step %s: %s refused, again in 2s (%d)", l.ID, l.Steps[i].ID, line, try)
					time.Sleep(2 * time.Second)
					out, err = ecfg.Kubectl(ctx, s.Namespace(), c.Args)
				}
				t.Logf("kind: %s step %s: %s\n%s", l.ID, l.Steps[i].ID, line, out)
				if err != nil {
					t.Errorf("%s step %s: %q fails on kind: %v\n%s", l.ID, l.Steps[i].ID, line, err, out)
				}
				ran++
			}
			_ = s.Cleanup(ctx)
			s.Close()
			cancel()
		}
	}
	if ran == 0 {
		t.Error("no kubectl exec found in the lesson texts: the extraction is broken")
	}
	t.Logf("%d kubectl exec command(s) from the lesson texts ran on kind", ran)
}
