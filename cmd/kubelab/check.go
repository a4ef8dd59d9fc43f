package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
)

func newCheckCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "check LESSON[/STEP]",
		Short: "Check a step's goals against the cluster now (exit 0 when all pass)",
		Long: `Check a step's goals against the lab cluster once and print, goal by goal,
what matches and what does not. Without STEP, the step you are on (or the first).
Exit status 0 when every goal passes, 1 otherwise: for scripts and instructors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, stepID, _ := strings.Cut(args[0], "/")
			_, all, err := loadLessons()
			if err != nil {
				return err
			}
			l, err := host.FindLesson(all, id)
			if err != nil {
				return err
			}
			step, err := pickStep(streams, l, stepID)
			if err != nil {
				return err
			}
			p, err := host.LabProvider("")
			if err != nil {
				return err
			}
			lab, err := host.Connect(cmd.Context(), p)
			if err != nil {
				return err
			}
			ns, err := host.LessonNamespace(p, l)
			if err != nil {
				return err
			}
			c, err := check.New(lab.Dynamic, ns, step.Goals)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			go c.Run(ctx)
			select {
			case <-c.Synced():
			case <-ctx.Done():
				return fmt.Errorf("the cluster did not answer within 30s")
			}
			rs := c.Results()
			printReport(streams, l, ns, step, rs)
			if !check.AllPass(rs) {
				return &exitError{}
			}
			return nil
		},
	}
}

func pickStep(streams Streams, l *lesson.Lesson, id string) (*lesson.Step, error) {
	if id == "" {
		if store, err := openProgress(streams); err == nil {
			if lp := store.Snapshot().Lessons[l.ID]; lp != nil {
				id = lp.Current
			}
		}
	}
	if id == "" {
		return &l.Steps[0], nil
	}
	if _, s, ok := l.Step(id); ok {
		return s, nil
	}
	var ids []string
	for _, s := range l.Steps {
		ids = append(ids, s.ID)
	}
	return nil, fmt.Errorf("lesson %s has no step %q; steps: %s", l.ID, id, strings.Join(ids, ", "))
}

func printReport(streams Streams, l *lesson.Lesson, ns string, s *lesson.Step, rs []check.Result) {
	fmt.Fprintf(streams.Out, "%s/%s: %s (namespace %s)\n", l.ID, s.ID, s.Title, ns)
	pass := 0
	for _, r := range rs {
		mark := "✗"
		if r.Pass {
			mark = "✓"
			pass++
		}
		fmt.Fprintf(streams.Out, "  %s %s\n", mark, r.Title)
		if !r.Pass {
			fmt.Fprintf(streams.Out, "      expected: %s\n      actual:   %s\n", r.Expected, r.Actual)
		}
	}
	fmt.Fprintf(streams.Out, "%d of %d goals pass.\n", pass, len(rs))
}
