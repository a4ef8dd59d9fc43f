package main

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Streams are where a command reads and writes.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

func defaultStreams() Streams { return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// exitError fails a command whose output already said why.
type exitError struct{}

func (*exitError) Error() string { return "failed" }

// Run runs the kubelab command line with args (without the program name).
func Run(ctx context.Context, streams Streams, args []string) error {
	root := newRootCommand(streams)
	root.SetArgs(args)
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	return root.ExecuteContext(ctx)
}

func newRootCommand(streams Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "kubelab",
		Short: "An interactive terminal lab for learning Kubernetes",
		Long: `kubelab brings up a real local Kubernetes cluster and walks you through it,
concept by concept, checking your work live as you solve each exercise with kubectl.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd.Context(), streams, nil)
		},
	}
	root.AddCommand(
		newUpCommand(streams),
		newDownCommand(streams),
		newStatusCommand(streams),
		newKubeconfigCommand(streams),
		newEnvCommand(streams),
		newKubectlCommand(),
		newLessonsCommand(streams),
		newCheckCommand(streams),
		newLintCommand(streams),
		newVerifyCommand(streams),
		newReportCommand(streams),
		newQuizCommand(streams),
		newClassCommand(streams),
		newJoinCommand(streams),
		newLeaveCommand(streams),
	)
	root.PersistentFlags().StringVar(&lessonsDir, "lessons", "", "use the lessons in this folder instead of the built-in ones")
	return root
}
