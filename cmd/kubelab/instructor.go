package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

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
