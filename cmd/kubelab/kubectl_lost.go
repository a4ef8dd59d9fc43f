package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"
	"k8s.io/kubectl/pkg/cmd/util"

	"github.com/kubelab/kubelab/lab/cluster"
)

// sayWhenUnreachable makes kubelab's kubectl, at its default verbosity, say
// kubelab's one sentence when the lab cluster does not answer, instead of
// client-go's screen of retries (`memcache.go ... connection refused`):
// client-go's log goes nowhere, and a fatal error that is a failure to
// connect becomes the provider's sentence of what is wrong and what to do.
// With -v, kubectl logs and says what it always does.
func sayWhenUnreachable(p cluster.Provider, args []string) {
	for i, a := range args {
		switch {
		case a == "-v" || strings.HasPrefix(a, "-v=") || strings.HasPrefix(a, "--v"):
			return
		case a == "--server" || a == "-s" || strings.HasPrefix(a, "--server=") || strings.HasPrefix(a, "--context"):
			return // another cluster than the lab's
		case a == "--kubeconfig" && i+1 < len(args) && args[i+1] != p.KubeconfigPath(),
			strings.HasPrefix(a, "--kubeconfig=") && a != "--kubeconfig="+p.KubeconfigPath():
			return
		}
	}
	klog.SetLogger(logr.Discard()) // every klog call, whatever its severity
	util.BehaviorOnFatal(func(msg string, code int) {
		if unreachable(msg) {
			msg = unreachableSentence(p)
		}
		if msg != "" && !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		fmt.Fprint(os.Stderr, msg)
		os.Exit(code)
	})
}

// unreachable reports whether kubectl's message says it could not reach
// the server.
func unreachable(msg string) bool {
	for _, s := range []string{"The connection to the server", "Unable to connect to the server", "connection refused", "dial tcp", "i/o timeout", "TLS handshake timeout", "no route to host"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// unreachableSentence is the provider's sentence on the lab cluster: what
// is wrong and what to do.
func unreachableSentence(p cluster.Provider) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := p.Status(ctx)
	switch {
	case err != nil:
		return "kubelab: the lab cluster does not answer (" + err.Error() + "); `kubelab up` brings it back"
	case st.Problem != "":
		return "kubelab: the lab cluster is " + string(st.State()) + ": " + st.Problem
	}
	return "kubelab: the lab cluster did not answer in time; try again, or see `kubelab status`"
}
