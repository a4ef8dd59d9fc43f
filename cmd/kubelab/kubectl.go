package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/component-base/cli"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubelab/kubelab/lab/host"
)

// newKubectlCommand only documents `kubelab kubectl`; main hands such command
// lines to runKubectl before cobra sees them, so kubectl parses its own flags.
func newKubectlCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "kubectl [args...]",
		Short:              "Run the built-in kubectl against the lab cluster",
		DisableFlagParsing: true,
		RunE: func(_ *cobra.Command, args []string) error {
			if code := runKubectl(args); code != 0 {
				return &exitError{}
			}
			return nil
		},
	}
}

// runKubectl runs kubectl with args against the lab's kubeconfig (a --kubeconfig
// flag still wins, as in kubectl).
func runKubectl(args []string) int {
	p, err := host.LabProvider("")
	if err != nil {
		os.Stderr.WriteString("kubelab: " + err.Error() + "\n")
		return 1
	}
	_ = os.Setenv("KUBECONFIG", p.KubeconfigPath())
	sayWhenUnreachable(p, args)
	// kubectl caches discovery under ~/.kube; keep even that in the lab's state.
	if os.Getenv("KUBECACHEDIR") == "" {
		_ = os.Setenv("KUBECACHEDIR", filepath.Join(filepath.Dir(p.KubeconfigPath()), "kubectl-cache"))
	}
	cmd := kubectlcmd.NewDefaultKubectlCommandWithArgs(kubectlcmd.KubectlOptions{
		Arguments:   append([]string{"kubectl"}, args...),
		IOStreams:   streamsForKubectl(),
		ConfigFlags: defaultKubectlConfigFlags(),
	})
	cmd.SetArgs(args)
	if err := cli.RunNoErrOutput(cmd); err != nil {
		util.CheckErr(err)
		return 1
	}
	return 0
}
