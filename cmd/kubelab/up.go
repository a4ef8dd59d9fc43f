package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/host"
)

func newUpCommand(streams Streams) *cobra.Command {
	var backend string
	var port int
	var recreate bool
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the lab cluster (or find it running)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var opts []embedded.Option
			if cmd.Flags().Changed("port") {
				opts = append(opts, embedded.WithPort(port))
			}
			auto := !cmd.Flags().Changed("backend")
			if auto {
				auto = os.Getenv("KUBELAB_BACKEND") == "" // asks as --backend does
				b, notice := host.ChooseBackend(cmd.Context(), "")
				backend = string(b)
				if notice != "" {
					fmt.Fprintln(streams.Out, notice)
				}
			}
			p, err := host.NewProvider(cluster.Backend(backend), opts...)
			if err != nil {
				return err
			}
			if p.Backend() == cluster.Shared {
				fmt.Fprintln(streams.Out, "Connecting to your class's cluster (`kubelab leave` goes back to one of your own)...")
			} else {
				fmt.Fprintf(streams.Out, "Starting the %s lab cluster...\n", p.Backend())
			}
			start := time.Now()
			progress := func(ph cluster.Phase) {
				if ph.Name == embedded.PhaseReady {
					return
				}
				fmt.Fprintf(streams.Out, " • %-48s %5.1fs\n", ph.Title, ph.Elapsed.Seconds())
			}
			st, err := p.Up(cmd.Context(), progress)
			if errors.Is(err, cluster.ErrGone) && recreate {
				fmt.Fprintln(streams.Out, "The lab cluster cannot be started again; creating it afresh (your progress is kept)...")
				if err = p.Down(cmd.Context()); err == nil {
					st, err = p.Up(cmd.Context(), progress)
				}
			}
			notice, fellBack := host.Fallback(err)
			if fellBack = fellBack && auto; fellBack {
				fmt.Fprintln(streams.Out, notice)
				if p, err = host.NewProvider(cluster.Embedded, opts...); err != nil {
					return err
				}
				st, err = p.Up(cmd.Context(), progress)
			}
			if err != nil {
				return err
			}
			if fellBack {
				err = host.RememberFallback("")
			} else {
				err = host.RememberBackend("", p.Backend())
			}
			if err != nil {
				return err
			}
			if st.Already {
				fmt.Fprintf(streams.Out, "The lab cluster is already running.\n")
			} else {
				fmt.Fprintf(streams.Out, " ✓ %-48s %5.1fs\n", "Cluster ready", time.Since(start).Seconds())
			}
			fmt.Fprintln(streams.Out, statusLine(st))
			fmt.Fprintln(streams.Out, "Use it from your shell with:  eval \"$(kubelab env)\"   then:  kubectl get nodes")
			return nil
		},
	}
	cmd.Flags().StringVar(&backend, "backend", "", "cluster backend: kind (real nodes, needs Docker) or embedded (simulated nodes, no Docker); default: kind where a Docker engine answers, else embedded, then the one used last")
	cmd.Flags().IntVar(&port, "port", embedded.DefaultPort, "API server port on 127.0.0.1")
	cmd.Flags().BoolVar(&recreate, "recreate", false, "create the cluster afresh when it cannot be started again (its nodes were removed); your progress is kept")
	return cmd
}

// statusLine sums a cluster up in one line.
func statusLine(st cluster.Status) string {
	if !st.Running {
		return "kubelab: " + st.Problem
	}
	ready := 0
	for _, n := range st.Nodes {
		if n.Ready {
			ready++
		}
	}
	line := fmt.Sprintf("kubelab: %s cluster running at %s, %d/%d nodes Ready", st.Backend, st.APIServer, ready, len(st.Nodes))
	if !st.StartedAt.IsZero() {
		line += ", up " + strings.TrimSuffix(time.Since(st.StartedAt).Round(time.Second).String(), "0s")
	}
	if st.Problem != "" {
		line += "; " + st.Problem
	}
	return line
}
