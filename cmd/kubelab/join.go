package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/host"
)

func newJoinCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "join FILE",
		Short: "Join a class: work on the shared cluster with the kubeconfig your instructor gave you",
		Long: `Join a class on a shared cluster. FILE is the kubeconfig your instructor handed
out: kubelab checks it works, keeps a private copy in its state directory
(FILE itself is only read), and from then on the lessons and every command
work on the class cluster, each lesson in your own namespace for it, and
your progress is shown to your instructor. ` + "`kubelab leave`" + ` goes back to a
cluster of your own.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := cluster.StateDir()
			if err != nil {
				return err
			}
			p, err := shared.New(dir)
			if err != nil {
				return err
			}
			m, err := p.Join(cmd.Context(), args[0])
			var ce *class.CredentialsError
			if errors.As(err, &ce) {
				_ = cluster.AppendLog(p.LogPath(), "join "+args[0]+": "+ce.Err.Error())
				return err
			}
			if err != nil {
				return err
			}
			if err := host.RememberBackend(dir, cluster.Shared); err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "Joined class %s as %s: %d lessons, each in a namespace of yours.\n", m.Class, m.Learner, len(m.Lessons))
			fmt.Fprintln(streams.Out, "Run kubelab to start; `kubelab leave` goes back to a cluster of your own.")
			return nil
		},
	}
}

func newLeaveCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "leave",
		Short: "Leave the class you joined: forget its credentials (your work on its cluster stays)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := cluster.StateDir()
			if err != nil {
				return err
			}
			p, err := shared.New(dir)
			if err != nil {
				return err
			}
			m, err := p.Membership()
			if errors.Is(err, shared.ErrNotJoined) {
				fmt.Fprintln(streams.Out, "You have joined no class; nothing to leave.")
				return nil
			}
			if err := p.Down(cmd.Context()); err != nil {
				return err
			}
			if host.LastBackend(dir) == cluster.Shared {
				if err := host.ForgetBackend(dir); err != nil {
					return err
				}
			}
			fmt.Fprintf(streams.Out, "Left class %s. `kubelab up` starts a cluster of your own; your progress is kept.\n", m.Class)
			return nil
		},
	}
}
