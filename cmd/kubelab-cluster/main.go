// Command kubelab-cluster runs the embedded lab cluster: etcd, the Kubernetes
// control plane and three simulated nodes in this one process. kubelab starts
// it (`kubelab up`) and stops it (`kubelab down`); people need not run it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"

	"k8s.io/klog/v2"

	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/embedded/controlplane"
)

func main() {
	dir := flag.String("dir", "", "state directory of the cluster")
	port := flag.Int("port", embedded.DefaultPort, "API server port on 127.0.0.1")
	klog.InitFlags(nil)
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "kubelab-cluster: --dir is required; start the lab with `kubelab up` instead")
		os.Exit(2)
	}

	// Phases go to the file descriptor kubelab gave us; writes to a parent
	// that is gone fail quietly.
	report := func(string) {}
	var phaseFile *os.File
	if fd, err := strconv.Atoi(os.Getenv(embedded.PhaseFDEnv)); err == nil {
		phaseFile = os.NewFile(uintptr(fd), "phases")
		report = func(line string) { _, _ = fmt.Fprintln(phaseFile, line) }
	}

	// $KUBELAB_CLUSTER_CPUPROFILE: a CPU profile of the start-up, up to
	// PhaseReady, for finding what slows it down (`go tool pprof`).
	stopProfile := func() {}
	if path := os.Getenv("KUBELAB_CLUSTER_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			stopProfile = sync.OnceFunc(func() { pprof.StopCPUProfile(); _ = f.Close() })
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if pid, err := strconv.Atoi(os.Getenv(embedded.ExitWithEnv)); err == nil && pid > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go exitWith(ctx, pid, cancel)
	}
	err := controlplane.Run(ctx, controlplane.Config{
		Dir:     *dir,
		APIPort: *port,
		Progress: func(phase string) {
			report("phase " + phase)
			if phase == embedded.PhaseReady {
				stopProfile()
			}
			if phase == embedded.PhaseReady && phaseFile != nil {
				_ = phaseFile.Close()
				report = func(string) {}
			}
		},
	})
	klog.Flush()
	if err != nil {
		report("error " + err.Error())
		fmt.Fprintln(os.Stderr, "kubelab-cluster: error:", err)
		os.Exit(1)
	}
}

// exitWith calls stop once process pid is gone (see embedded.ExitWithEnv).
func exitWith(ctx context.Context, pid int, stop func()) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
				klog.Infof("process %d is gone (%s); stopping", pid, embedded.ExitWithEnv)
				stop()
				return
			}
		}
	}
}
