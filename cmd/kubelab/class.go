package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/host"
)

// classTarget is how the instructor's class commands reach the cluster.
type classTarget struct {
	kubeconfig, context string
}

func (t *classTarget) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.kubeconfig, "kubeconfig", "", "the kubeconfig of the cluster you administer (read, never written); default: kubelab's own running cluster (embedded or kind)")
	cmd.Flags().StringVar(&t.context, "context", "", "the context of --kubeconfig to use; default: its current context")
}

// admin returns clients for the cluster the instructor administers: the
// given kubeconfig (only read), or kubelab's own running cluster.
func (t *classTarget) admin(ctx context.Context) (kubernetes.Interface, *rest.Config, error) {
	path := t.kubeconfig
	if path == "" {
		p, err := host.LabProvider("")
		if err != nil {
			return nil, nil, err
		}
		if p.Backend() == cluster.Shared {
			return nil, nil, errors.New("this kubelab has joined a class as a learner; give the cluster you administer with --kubeconfig")
		}
		st, err := p.Status(ctx)
		if err != nil {
			return nil, nil, err
		}
		if !st.Running {
			return nil, nil, errors.New("kubelab's own cluster is not running: start it with `kubelab up`, or give the cluster you administer with --kubeconfig")
		}
		path = p.KubeconfigPath()
	}
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path}, &clientcmd.ConfigOverrides{CurrentContext: t.context})
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("read the kubeconfig %s: %w", path, err)
	}
	cfg.QPS, cfg.Burst = class.CreateQPS, 2*class.CreateQPS
	cfg.WarningHandler = rest.NoWarnings{}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cs, cfg, nil
}

func newClassCommand(streams Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "class",
		Short: "Run a workshop on one shared cluster: a class of learners, each with their own namespaces",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newClassCreateCommand(streams), newClassDeleteCommand(streams), newClassWatchCommand(streams), newClassReportCommand(streams), newClassImagesCommand(streams))
	return cmd
}

func newClassCreateCommand(streams Streams) *cobra.Command {
	var t classTarget
	var learners int
	var roster, budget, out, server, storageClass string
	var lessonIDs []string
	var duration time.Duration
	var reissue bool
	cmd := &cobra.Command{
		Use:   "create NAME (--learners N | --roster FILE)",
		Short: "Create a class (or add its missing learners): namespaces, access, a budget and a kubeconfig per learner",
		Long: `Create a class on a cluster you administer. For each learner: a home namespace
with their identity and published progress, one namespace per lesson where
they are admin (and nowhere else), a ResourceQuota and LimitRange in each
lesson namespace (--budget is per lesson namespace), and a kubeconfig with a
token lasting --duration, written 0600 into --out. Hand each learner their
file: they run ` + "`kubelab join FILE`" + `.

Without --kubeconfig the class is made on kubelab's own running cluster
(embedded or kind, its lab-owned kubeconfig). The kubeconfig you give is only
read, never written.

Running it again adds the learners the class lacks and changes nothing else;
existing learners get a new kubeconfig only with --reissue.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec := class.Spec{Name: args[0], Duration: duration, OutDir: out, Server: server, StorageClass: storageClass, Reissue: reissue}
			if err := class.ValidName("class", spec.Name, class.MaxClassName); err != nil {
				return err
			}
			switch {
			case roster != "" && learners > 0:
				return errors.New("give either --learners N or --roster FILE, not both")
			case roster != "":
				text, err := os.ReadFile(roster)
				if err != nil {
					return fmt.Errorf("read the roster: %w", err)
				}
				if spec.Learners, err = class.ParseRoster(string(text)); err != nil {
					return fmt.Errorf("roster %s: %w", roster, err)
				}
			case learners > 0:
				spec.Learners = class.Learners(learners)
			default:
				return errors.New("say who the learners are: --learners N or --roster FILE (one name a line)")
			}
			b, err := class.ParseBudget(budget)
			if err != nil {
				return err
			}
			spec.Budget = b
			_, all, err := loadLessons()
			if err != nil {
				return err
			}
			for _, l := range all {
				if len(lessonIDs) == 0 || slices.Contains(lessonIDs, l.ID) {
					spec.Lessons = append(spec.Lessons, l.ID)
				}
			}
			for _, id := range lessonIDs {
				if !slices.Contains(spec.Lessons, id) {
					return fmt.Errorf("there is no lesson %q; `kubelab lessons` lists them", id)
				}
			}
			cs, cfg, err := t.admin(cmd.Context())
			if err != nil {
				return err
			}
			res, err := class.Create(cmd.Context(), cs, cfg, spec)
			if res != nil {
				for _, l := range res.Learners {
					switch {
					case l.Name == "":
					case l.Kubeconfig != "" && l.New:
						fmt.Fprintf(streams.Out, "%-20s added        %s\n", l.Name, l.Kubeconfig)
					case l.Kubeconfig != "":
						fmt.Fprintf(streams.Out, "%-20s new file     %s\n", l.Name, l.Kubeconfig)
					default:
						fmt.Fprintf(streams.Out, "%-20s unchanged    (--reissue writes a new file)\n", l.Name)
					}
				}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "Class %s: %d learners, %d lessons each; kubeconfigs in %s", res.Class, len(res.Learners), len(spec.Lessons), res.Dir)
			if !res.Expires.IsZero() {
				fmt.Fprintf(streams.Out, " (new ones work until %s)", res.Expires.Local().Format("Mon 15:04"))
			}
			fmt.Fprintln(streams.Out, ".")
			fmt.Fprintln(streams.Out, "Each learner runs:  kubelab join LEARNER.kubeconfig")
			return nil
		},
	}
	t.flags(cmd)
	cmd.Flags().IntVar(&learners, "learners", 0, "make N learners, named learner-01 ...")
	cmd.Flags().StringVar(&roster, "roster", "", "a file naming the learners, one a line (lower-case letters, digits, '-')")
	cmd.Flags().StringVar(&budget, "budget", class.DefaultBudget, "each lesson namespace's quota: cpu and memory bound what its pods request; other names are ResourceQuota resources (limits.memory=4Gi, services=10)")
	cmd.Flags().DurationVar(&duration, "duration", class.DefaultDuration, "how long the learners' kubeconfigs work")
	cmd.Flags().StringVar(&out, "out", "", "folder for the learners' kubeconfigs (default ./NAME-kubeconfigs)")
	cmd.Flags().StringVar(&server, "server", "", "the API server address learners use (default: the one in your kubeconfig; a loopback one works only on this machine)")
	cmd.Flags().StringVar(&storageClass, "storage-class", "", "a StorageClass the class provides for lessons that claim storage")
	cmd.Flags().StringSliceVar(&lessonIDs, "lesson", nil, "give namespaces only for these lessons (default: every lesson)")
	cmd.Flags().BoolVar(&reissue, "reissue", false, "write new kubeconfigs for the learners that exist already too")
	return cmd
}

func newClassDeleteCommand(streams Streams) *cobra.Command {
	var t classTarget
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a class: every namespace it made, with the learners' work in them, and nothing else",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := class.ValidName("class", args[0], class.MaxClassName); err != nil {
				return err
			}
			cs, _, err := t.admin(cmd.Context())
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Minute)
			defer cancel()
			n, err := class.Delete(ctx, cs, args[0], true)
			if err != nil {
				return err
			}
			if n == 0 {
				fmt.Fprintf(streams.Out, "There is no class %s on this cluster; nothing was deleted.\n", args[0])
				return nil
			}
			fmt.Fprintf(streams.Out, "Class %s is deleted: %d namespaces. The learners' kubeconfigs no longer work.\n", args[0], n)
			return nil
		},
	}
	t.flags(cmd)
	return cmd
}
