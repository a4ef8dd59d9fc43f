package engine

import (
	"context"
	"io/fs"
	"sync"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/fault"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
)

// LoadLessons loads and fully validates every lesson folder at the root of
// fsys: fault kinds and parameters, goal expressions, files, ids.
func LoadLessons(fsys fs.FS) ([]*lesson.Lesson, error) {
	return lesson.LoadAll(fsys, ".", Validators())
}

// Validators checks faults and goals with the real catalogue and checker.
func Validators() lesson.Validators {
	return lesson.Validators{Fault: fault.Validate, Goal: check.Validate, Ref: check.ValidateRef, Command: checkCommand, Manifest: checkManifest}
}

// checkCommand is policy.CheckCommand as lesson.Validators wants it.
func checkCommand(cmd string) (manifests, files []string, err error) {
	c, err := policy.CheckCommand(cmd)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range c.Files {
		if f.Manifest {
			manifests = append(manifests, f.Name)
		} else {
			files = append(files, f.Name)
		}
	}
	return manifests, files, nil
}

func checkManifest(data []byte) []lesson.Problem {
	var out []lesson.Problem
	for _, p := range policy.CheckManifest(data) {
		out = append(out, lesson.Problem{Line: p.Line, Msg: p.Msg})
	}
	return out
}

// Disruptive reports whether a lesson's faults reach beyond its namespace
// (a node going down), so that it must not be proven alongside others.
func Disruptive(l *lesson.Lesson) bool { return len(nodesTakenDown(l)) > 0 }

// nodesTakenDown lists the nodes the lesson's node-down faults stop.
func nodesTakenDown(l *lesson.Lesson) []string {
	var out []string
	for _, st := range l.Steps {
		for _, f := range st.Faults {
			if f.Type == "node-down" {
				out = append(out, f.Params["node"])
			}
		}
	}
	return out
}

// ProveAll proves lessons on one cluster: those that keep to their own
// namespace in parallel, then each disruptive one alone. It returns the
// error of every lesson that failed, by lesson id.
//
// At most parallel lessons run at once (0: all of them); real nodes on a
// small machine prove faster a few at a time.
func ProveAll(ctx context.Context, cfg Config, lessons []*lesson.Lesson, parallel int, report func(lessonID string, p StepProof)) map[string]error {
	var mu sync.Mutex
	failed := map[string]error{}
	prove := func(l *lesson.Lesson) {
		err := Prove(ctx, cfg, l, func(p StepProof) {
			if report != nil {
				mu.Lock()
				report(l.ID, p)
				mu.Unlock()
			}
		})
		if err != nil {
			mu.Lock()
			failed[l.ID] = err
			mu.Unlock()
		}
	}
	if parallel <= 0 {
		parallel = len(lessons)
	}
	slots := make(chan struct{}, max(1, parallel))
	var wg sync.WaitGroup
	for _, l := range lessons {
		if !Disruptive(l) {
			wg.Go(func() {
				slots <- struct{}{}
				defer func() { <-slots }()
				prove(l)
			})
		}
	}
	wg.Wait()
	for _, l := range lessons {
		if Disruptive(l) {
			prove(l)
		}
	}
	return failed
}
