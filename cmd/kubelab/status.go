package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/kubectlver"
)

func newStatusCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show whether the lab cluster runs, where, and its nodes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := host.LabProvider("")
			if err != nil {
				return err
			}
			st, err := p.Status(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "Backend:\t%s\n", st.Backend)
			if sp, ok := p.(*shared.Provider); ok {
				if m, err := sp.Membership(); err == nil {
					fmt.Fprintf(w, "Class:\t%s, learner %s (home namespace %s)\n", m.Class, m.Learner, m.Home)
				}
			}
			if st.APIServer != "" {
				fmt.Fprintf(w, "API server:\t%s\n", st.APIServer)
			}
			// One word of four: stopped, starting, unreachable, running.
			state := string(st.State())
			if st.State() == cluster.Running && !st.StartedAt.IsZero() {
				state += fmt.Sprintf(" (up %s)", time.Since(st.StartedAt).Round(time.Second))
			}
			fmt.Fprintf(w, "State:\t%s\n", state)
			var cfg *rest.Config
			if st.Running {
				cfg = host.LabConfig(p)
			}
			c, fromServer := host.KubectlChoice(cmd.Context(), cfg)
			source := ""
			switch {
			case fromServer:
			case st.Running:
				source = " (kubelab's build: the API server did not say)"
			default:
				source = " (kubelab's build: the cluster is not running)"
			}
			fmt.Fprintf(w, "Kubernetes:\t%s%s\n", kubectlver.Format(c.Lab), source)
			fmt.Fprintf(w, "kubectl:\t%s: %s\n", c.Which(), c.Reason())
			fmt.Fprintf(w, "Kubeconfig:\t%s\n", p.KubeconfigPath())
			_ = w.Flush()
			if len(st.Nodes) > 0 {
				fmt.Fprintln(streams.Out)
				w = tabwriter.NewWriter(streams.Out, 0, 0, 3, ' ', 0)
				fmt.Fprintln(w, "NODE\tROLES\tSTATUS")
				for _, n := range st.Nodes {
					roles, status := "<none>", "NotReady"
					if len(n.Roles) > 0 {
						roles = strings.Join(n.Roles, ",")
					}
					if n.Ready {
						status = "Ready"
					}
					fmt.Fprintf(w, "%s\t%s\t%s\n", n.Name, roles, status)
				}
				_ = w.Flush()
			}
			if st.Problem != "" {
				fmt.Fprintln(streams.Err, "kubelab: "+st.Problem)
				return &exitError{}
			}
			return nil
		},
	}
}
