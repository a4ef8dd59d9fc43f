package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
			fmt.Fprintf(streams.Out, "The %s lab cluster is stopped and its state removed.\n", p.Backend())
			return nil
		},
	}
}
