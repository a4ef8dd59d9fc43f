package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
)

func newLintCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "lint DIR",
		Short: "Validate a lesson folder, or a folder of lessons, without a cluster",
		Long: `Validate lessons without a cluster: schema, fault and goal kinds and their
parameters, ids, hints, solutions and the files they name. Every problem is
printed as file:line: message; the exit status is 1 if there is any.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			_, all, err := host.LessonsAt(args[0])
			var problems lesson.Problems
			if errors.As(err, &problems) {
				root := args[0]
				if _, statErr := os.Stat(filepath.Join(root, "lesson.yaml")); statErr == nil {
					root = filepath.Dir(filepath.Clean(root))
				}
				for _, p := range problems {
					p.File = filepath.Join(root, p.File)
					fmt.Fprintln(streams.Out, p.String())
				}
				fmt.Fprintf(streams.Err, "kubelab: %d problem(s)\n", len(problems))
				return &exitError{}
			}
			if err != nil {
				return err
			}
			steps := 0
			for _, l := range all {
				steps += len(l.Steps)
			}
			fmt.Fprintf(streams.Out, "%d lesson(s), %d step(s): no problems\n", len(all), steps)
			return nil
		},
	}
}

func newVerifyCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "verify [DIR|LESSON]",
		Short: "Prove lessons on a fresh embedded cluster: goals fail before each solution and pass after",
		Long: `Start a fresh embedded cluster of its own, and for every step of every lesson
check that the goals fail after the step's setup and faults, then pass after its
reference solution. Prints a table with timings; exit status 1 if any step fails.
Without an argument, the built-in lessons; LESSON is a built-in lesson's id.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fsys, all, err := verifyTargets(args)
			if err != nil {
				return err
			}
			return verify(cmd.Context(), streams, fsys, all)
		},
	}
}

func verifyTargets(args []string) (fs.FS, []*lesson.Lesson, error) {
	if len(args) == 1 {
		if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
			return host.LessonsAt(args[0])
		}
	}
	fsys, all, err := loadLessons()
	if err != nil || len(args) == 0 {
		return fsys, all, err
	}
	l, err := host.FindLesson(all, args[0])
	if err != nil {
		return nil, nil, err
	}
	return fsys, []*lesson.Lesson{l}, nil
}

func verify(ctx context.Context, streams Streams, fsys fs.FS, all []*lesson.Lesson) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "kubelab-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := embedded.New(embedded.WithStateDir(filepath.Join(dir, "embedded")), embedded.WithPort(-1))
	if err != nil {
		return err
	}
	h, err := host.New(ctx, host.Config{Provider: p, LessonsFS: fsys, Lessons: all, StateDir: dir})
	if err != nil {
		return err
	}
	fmt.Fprintln(streams.Out, "Starting a fresh embedded cluster for the proofs...")
	defer func() { _ = p.Down(context.WithoutCancel(ctx)) }()
	if err := h.Up(ctx, nil); err != nil {
		return err
	}
	ecfg, err := h.EngineConfig()
	if err != nil {
		return err
	}
	type row struct {
		lesson string
		proof  engine.StepProof
	}
	var rows []row
	failed := engine.ProveAll(ctx, ecfg, all, 0, func(id string, sp engine.StepProof) {
		rows = append(rows, row{id, sp})
	})
	order := map[string]int{}
	for i, l := range all {
		order[l.ID] = i * 1000
		for j, st := range l.Steps {
			order[l.ID+"/"+st.ID] = i*1000 + j
		}
	}
	rank := func(r row) int {
		if r.proof.Task {
			return order[r.lesson] + 999
		}
		return order[r.lesson+"/"+r.proof.Step]
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if a, b := rank(rows[i]), rank(rows[j]); a != b {
			return a < b
		}
		return rows[i].proof.Kind < rows[j].proof.Kind
	})
	w := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "LESSON\tSTEP\tPROOF\tFAILS BEFORE\tAFTER THE SOLUTION\tTOOK")
	counts := map[engine.ProofKind]int{}
	for _, r := range rows {
		p := r.proof
		step, proof := p.Step, p.Kind.String()
		if p.Task {
			step = "task " + p.Step
		}
		if p.Case != "" {
			proof += ": " + p.Case
		}
		after, took := "-", "-"
		switch {
		case p.Kind == engine.Rejected && p.Caught:
			after = "caught"
		case p.Kind == engine.Rejected && p.PassedAfter:
			after = "PASSES"
		case p.PassedAfter:
			after, took = "passes", p.SolutionTook.Round(10*time.Millisecond).String()
		case p.FailedBefore:
			after = "FAILS"
		}
		if p.Err == nil {
			counts[p.Kind]++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.lesson, step, trim(proof, 48), yesNo(p.FailedBefore), after, took)
		if p.Kind == engine.InOrder {
			for _, f := range p.Faults {
				fmt.Fprintf(w, "\t\t  fault at +%s: %s\t\t\t\n", f.After.Round(100*time.Millisecond), f.Message)
			}
		}
	}
	_ = w.Flush()
	for _, l := range all {
		if err, ok := failed[l.ID]; ok {
			fmt.Fprintf(streams.Out, "\n%s\n", strings.TrimSpace(err.Error()))
		}
	}
	fmt.Fprintf(streams.Out, "\nProven: %d in order, %d alone, %d accepted, %d rejected solution(s).\n",
		counts[engine.InOrder], counts[engine.Alone], counts[engine.Accepted], counts[engine.Rejected])
	fmt.Fprintf(streams.Out, "%d of %d lesson(s) proven on the embedded backend in %s.\n", len(all)-len(failed), len(all), time.Since(start).Round(100*time.Millisecond))
	if len(failed) > 0 {
		return &exitError{}
	}
	return nil
}

// trim shortens s to at most n runes, ending in "…" when cut.
func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
