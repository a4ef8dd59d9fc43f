package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"
)

func newKubeconfigCommand(streams Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "kubeconfig",
		Short: "Print the path of the lab's own kubeconfig (your ~/.kube/config is never touched)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := labProvider()
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
a kubectl alias runs the one built into kubelab.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := labProvider()
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "export KUBECONFIG=%s\n", shellQuote(p.KubeconfigPath()))
			if _, err := exec.LookPath("kubectl"); err != nil {
				self, err := os.Executable()
				if err != nil {
					self = "kubelab"
				}
				fmt.Fprintf(streams.Out, "alias kubectl=%s\n", shellQuote(shellQuote(self)+" kubectl"))
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
