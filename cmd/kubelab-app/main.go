// Command kubelab-app is kubelab's lesson app: the program inside the
// kubelab/app images that lessons run on kind clusters (the embedded
// cluster simulates the same behaviour). One small binary plays every part
// a lesson needs, chosen by environment variables; lab/workload owns their
// names, the modes, ports, defaults and log lines, and
// lab/cluster/embedded/simnode/contract_test.go holds this program against
// the simulation:
//
//	KUBELAB_MODE      server (default) | worker | producer | queue | load | tail | proxy | adapter | db | job
//	KUBELAB_CRASH_AFTER  exit with status 1 after this long (CrashLoopBackOff)
//	KUBELAB_READY=false  /readyz fails (Running but not Ready)
//	KUBELAB_MEMORY    allocate and hold this much memory (OOMKilled over the limit)
//	KUBELAB_HANG_AFTER  stop answering HTTP after this long, probes included (only a livenessProbe restarts it)
//	KUBELAB_QUEUE, KUBELAB_RATE, KUBELAB_TARGET, KUBELAB_CAPACITY  queues and load
//	KUBELAB_LOG_FILE  also append the access log to this file (sidecar lessons)
//	KUBELAB_FILE      the file a tail container follows
//	KUBELAB_LISTEN    the port a proxy listens on
//	KUBELAB_DATA_DIR  where /data/<name> is stored (default /data; volume lessons)
//	KUBELAB_ADDR      where the HTTP server listens
//
// Every mode but job and the sidecars (tail, proxy) serves /healthz,
// /readyz and /metrics (Prometheus text, lab/metrics names) on :8080; the
// adapter on :9113 and the db on :5432, since a pod's containers share its
// ports and these run beside a server. A load pod says every 10 s which
// pods answered its requests (the server's answer names its pod), or why
// none did.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/kubelab/kubelab/lab/workload"
)

// version is the image tag this binary was built for (v1, v2, v3, broken).
var version = "dev"

func main() {
	// Started as wget, cat, ls or touch (links in the image): a client
	// command for `kubectl exec`, not the app.
	if tool, ok := tools[filepath.Base(os.Args[0])]; ok {
		os.Exit(tool(os.Args[1:], os.Stdout, os.Stderr))
	}
	// The images set the tag they were built as (lab/images).
	if v := os.Getenv(workload.EnvVersion); v != "" {
		version = v
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, envFromOS(), os.Stdout)
	if errors.Is(err, errHung) {
		stop()
		dieOfSIGTERM()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, workload.LogFatal(err.Error()))
		fmt.Fprintln(os.Stderr, workload.LogExit)
		os.Exit(1)
	}
}
