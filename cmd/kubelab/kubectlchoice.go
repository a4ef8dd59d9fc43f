package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	kversion "k8s.io/component-base/version"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/kubectlver"
)

// kubectlChoice is the kubectl a learner gets against the lab cluster (cfg,
// nil when it does not run): the one on PATH when it is within the skew of the
// lab's Kubernetes, kubelab's own otherwise. fromServer says whether the lab's
// version came from its API server.
func kubectlChoice(ctx context.Context, cfg *rest.Config) (c kubectlver.Choice, fromServer bool) {
	lab, fromServer := labVersion(cfg)
	return kubectlver.Choose(kubectlver.Find(ctx, os.Getenv("PATH")), lab, ownVersion()), fromServer
}

// labVersion is the lab cluster's Kubernetes version: the API server's when
// it answers (fromServer), else the one kubelab was built with.
func labVersion(cfg *rest.Config) (v *version.Version, fromServer bool) {
	if cfg != nil {
		c := rest.CopyConfig(cfg)
		c.Timeout = kubectlver.Timeout
		if d, err := discovery.NewDiscoveryClientForConfig(c); err == nil {
			if info, err := d.ServerVersion(); err == nil {
				if v, err := version.ParseGeneric(info.GitVersion); err == nil {
					return v, true
				}
			}
		}
	}
	return ownVersion(), false
}

// ownVersion is the Kubernetes version kubelab was built with, which its own
// kubectl reports; nil in a build without the Makefile's version stamp.
func ownVersion() *version.Version {
	v, err := version.ParseGeneric(kversion.Get().GitVersion)
	if err != nil || v.Major() == 0 {
		return nil
	}
	return v
}

// labConfig is a client config for the lab cluster, or nil when it has no
// kubeconfig yet (never brought up).
func labConfig(p cluster.Provider) *rest.Config {
	if _, err := os.Stat(p.KubeconfigPath()); err != nil {
		return nil
	}
	cfg, err := restConfig(p.KubeconfigPath())
	if err != nil {
		return nil
	}
	return cfg
}

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
