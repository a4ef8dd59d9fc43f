package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/host"
)

func newKubeconfigCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print the path of the lab's own kubeconfig (your ~/.kube/config is never touched)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := host.LabProvider("")
			if err != nil {
				return err
			}
			fmt.Fprintln(streams.Out, p.KubeconfigPath())
			return nil
		},
	}
}

func newEnvCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "env",
		Short: "Print shell exports for the lab: eval \"$(kubelab env)\"",
		Long: `Print shell commands that point kubectl at the lab cluster in this shell only:

    eval "$(kubelab env)"

KUBECONFIG is set to the lab's own kubeconfig. Where no kubectl is installed,
or the installed one is more than one minor version from the lab's Kubernetes
(kubectl's supported skew), a kubectl function runs the one built into kubelab,
with a comment that says why; the installed one stays at its full path.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := host.LabProvider("")
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "export KUBECONFIG=%s\n", shellQuote(p.KubeconfigPath()))
			if c, _ := host.KubectlChoice(cmd.Context(), host.LabConfig(p)); c.UseOwn {
				printKubectlFunction(streams.Out, c)
			}
			fmt.Fprintln(streams.Out, "# Run this command to configure your shell:")
			fmt.Fprintln(streams.Out, "# eval \"$(kubelab env)\"")
			return nil
		},
	}
}

// shellQuote quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
