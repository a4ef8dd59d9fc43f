// Command kubelab-app is kubelab's lesson app: the program inside the
// kubelab/app images that lessons run on kind clusters. The app itself is
// lab/app, a sandbox.Program that the embedded cluster runs in-process;
// this command runs it on the real OS: it builds a Proc of the process's
// own files, network, host name and environment, and a Usage that really
// allocates the memory and spends the CPU the app says it uses, so the
// kernel, the kubelet and metrics-server see them.
//
// Started as wget, cat, ls or touch (links in the image), it is that tool,
// for `kubectl exec`. An app that ends killed (exit status 137) or stopped
// while hung (143) dies of SIGKILL or SIGTERM, as the kubelet expects.
package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/app"
	"github.com/kubelab/kubelab/lab/workload"
)

// version is the image tag this binary was built for (v1, v2, v3, broken);
// the images set KUBELAB_VERSION, which wins.
var version = "dev"

func main() {
	prog := app.Program(version)
	if tool, ok := app.Tool(filepath.Base(os.Args[0])); ok {
		prog = tool
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := prog(ctx, hostProc())
	stop()
	exit(code)
}

// exit ends the process with code, or by the signal the code stands for.
func exit(code int) {
	switch code {
	case workload.KilledExitCode:
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case workload.HungExitCode:
		signal.Reset(syscall.SIGTERM)
		_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	default:
		os.Exit(code)
	}
	time.Sleep(time.Second) // the signal ends the process first
	os.Exit(code)
}
