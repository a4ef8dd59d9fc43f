package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/tui"
)

func newQuizCommand(streams Streams) *cobra.Command {
	var topics []string
	var limit time.Duration
	var count int
	var seed uint64
	var noTasks bool
	cmd := &cobra.Command{
		Use:   "quiz",
		Short: "Take a timed self-assessment quiz (questions from the lessons)",
		Long: `Take a quiz in exam mode: a visible timer, jump between questions, flag them for
review, submit, and see your score by topic with each right answer explained.
Hands-on tasks are judged by the cluster's state when you submit (x opens a
shell in the task's namespace); they bring the lab cluster up first.
Quitting keeps your answers: the next kubelab quiz offers to resume. A room
that shares a --seed gets the same questions in the same order.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, all, err := loadLessons()
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("seed") {
				seed = uint64(time.Now().UnixNano() % 1_000_000)
			}
			o := quiz.Options{Topics: topics, Count: count, Seed: seed, Time: limit, NoTasks: noTasks}
			if _, err := quiz.Select(quiz.Bank(all), o); err != nil {
				return err
			}
			fmt.Fprintf(streams.Err, "kubelab: quiz seed %d (share it for the same quiz)\n", seed)
			return runTUI(cmd.Context(), streams, &tui.QuizConfig{Options: o, Store: host.QuizStore("")})
		},
	}
	cmd.Flags().StringSliceVar(&topics, "topic", nil, "only questions on this topic (repeatable)")
	cmd.Flags().DurationVar(&limit, "time", quiz.DefaultTime, "time limit, e.g. 30m (0: none)")
	cmd.Flags().IntVar(&count, "count", quiz.DefaultCount, "at most this many questions (0: all)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "fix the questions and their order")
	cmd.Flags().BoolVar(&noTasks, "no-tasks", false, "concept questions only: no hands-on tasks, no cluster needed")
	return cmd
}
