package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/host"
)

func newDownCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "down",
		Short: "Stop the lab cluster and remove everything it kept",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := host.LabProvider("")
			if err != nil {
				return err
			}
			if err := p.Down(cmd.Context()); err != nil {
				return err
			}
			if p.Backend() == cluster.Shared { // the class's cluster is not ours to stop
				fmt.Fprintln(streams.Out, "Left the class: its credentials are forgotten; its cluster runs on.")
				return host.ForgetBackend("")
			}
			fmt.Fprintf(streams.Out, "The %s lab cluster is stopped and its state removed.\n", p.Backend())
			return nil
		},
	}
}
