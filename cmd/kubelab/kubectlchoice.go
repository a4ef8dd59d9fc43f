package main

import (
	"fmt"
	"io"
	"os"

	"github.com/kubelab/kubelab/lab/kubectlver"
)

// printKubectlFunction writes, for `kubelab env`, a shell function that runs
// kubelab's own kubectl, after a comment that says why. A function rather than
// an alias: it works on the line that runs the eval, and in scripts.
func printKubectlFunction(w io.Writer, c kubectlver.Choice) {
	self, err := os.Executable()
	if err != nil {
		self = "kubelab"
	}
	fmt.Fprintln(w, "# "+c.Why())
	fmt.Fprintln(w, "unalias kubectl 2>/dev/null || true")
	fmt.Fprintf(w, "kubectl() { %s kubectl \"$@\"; }\n", shellQuote(self))
}
