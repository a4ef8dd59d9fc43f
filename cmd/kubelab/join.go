package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

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
			dir, p, err := sharedProvider()
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
			if err := announce(cmd.Context(), p, m); err != nil { // the grid shows "not joined yet" a while longer
				_ = cluster.AppendLog(p.LogPath(), "join: tell the class: "+err.Error())
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
			dir, p, err := sharedProvider()
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

// announce publishes a first, empty progress for a learner who never
// published, so the instructor's grid shows them joined at once. A learner
// who joins again keeps what they published.
func announce(ctx context.Context, p *shared.Provider, m class.Membership) error {
	cfg, err := p.Config()
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	cms := cs.CoreV1().ConfigMaps(m.Home)
	if _, ok, err := class.ReadPublished(ctx, cms); ok || err != nil {
		return err
	}
	first := func() class.Published {
		return class.Published{Class: m.Class, Learner: m.Learner, Updated: time.Now().UTC(), Lessons: map[string]class.LessonProgress{}}
	}
	return class.NewPublisher(cms, first, nil).Publish(ctx)
}

// sharedProvider is the class backend in kubelab's state directory.
func sharedProvider() (string, *shared.Provider, error) {
	dir, err := cluster.StateDir()
	if err != nil {
		return "", nil, err
	}
	p, err := shared.New(dir)
	return dir, p, err
}
