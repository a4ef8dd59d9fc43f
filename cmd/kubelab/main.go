// Command kubelab is an interactive terminal lab for learning Kubernetes: it
// brings up a real local cluster and walks a learner through it, concept by
// concept, checking their work live.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// kubelab kubectl hands the whole command line to the built-in kubectl.
	if len(os.Args) > 1 && os.Args[1] == "kubectl" {
		os.Exit(runKubectl(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, defaultStreams(), os.Args[1:]); err != nil {
		var quiet *exitError
		if !errors.As(err, &quiet) {
			fmt.Fprintln(os.Stderr, "kubelab: "+err.Error())
		}
		os.Exit(1)
	}
}
