package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/workload"
)

// Program is the lesson app built as version; KUBELAB_VERSION, which the
// images set to their tag, overrides it.
func Program(version string) sandbox.Program {
	return func(ctx context.Context, p *sandbox.Proc) int { return run(ctx, p, version) }
}

// Main is the lesson app of a development build (version "dev" unless
// KUBELAB_VERSION says otherwise).
func Main(ctx context.Context, p *sandbox.Proc) int { return run(ctx, p, "dev") }

// Why the app ends other than by an error it prints.
var (
	// errHung: stopped while hung; the SIGTERM it no longer handles ends it.
	errHung = errors.New("stopped while hung")
	// errKilled: killed (KillPath) or over its memory limit: SIGKILL.
	errKilled = errors.New("killed")
)

func run(ctx context.Context, p *sandbox.Proc, version string) int {
	if v := p.Getenv(workload.EnvVersion); v != "" {
		version = v
	}
	a := &app{p: p, env: p.Getenv, version: version}
	a.addr = a.env.Addr()
	a.client = a.newClient()
	err := a.run(ctx)
	a.free()
	switch {
	case errors.Is(err, errHung):
		return workload.HungExitCode
	case errors.Is(err, errKilled):
		return workload.KilledExitCode
	case err != nil:
		fmt.Fprintln(p.Stderr, workload.LogFatal(err.Error()))
		fmt.Fprintln(p.Stderr, workload.LogExit)
		return 1
	}
	return 0
}

// app is one running lesson app.
type app struct {
	p       *sandbox.Proc
	env     workload.Env
	version string
	outMu   sync.Mutex
	addr    string // where the HTTP server listens (":8080")
	client  *http.Client

	mu       sync.Mutex
	requests float64
	window   []time.Time // arrival times of recent requests, for the load
	tasks    float64     // tasks this worker finished, or produced
	queue    *queue      // mode queue
	held     int64       // memory held (EnvMemory), in bytes

	hung   atomic.Bool // EnvHangAfter has passed: no request is answered
	killed chan struct{}
	kill   sync.Once
	wg     sync.WaitGroup // every goroutine the app starts
}

func (a *app) logf(format string, args ...any) {
	a.outMu.Lock()
	defer a.outMu.Unlock()
	line := fmt.Sprintf(format, args...)
	fmt.Fprintln(a.p.Stdout, line)
	if f := a.env(workload.EnvLogFile); f != "" {
		if fh, err := a.p.FS.OpenFile(f, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(fh, line)
			_ = fh.Close()
		}
	}
}

// go runs f in a goroutine the app waits for before it returns.
func (a *app) goWait(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

func (a *app) run(ctx context.Context) error {
	mode := a.env.Mode()
	a.logf("%s", workload.LogStarting(a.version))
	a.logf("%s", workload.LogIdentity(a.hostname(), a.namespace(), a.env.Get(workload.EnvNode, "unknown"), a.podIP(ctx), mode))
	if a.version == "broken" {
		sleep(ctx, 300*time.Millisecond)
		return errors.New(workload.BrokenReason)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer a.wg.Wait()
	defer cancel()
	errc := make(chan error, 4)
	a.killed = make(chan struct{})
	if d := a.env(workload.EnvCrashAfter); d != "" {
		after, err := workload.ParseDuration(d)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", workload.EnvCrashAfter, d, err)
		}
		a.logf("%s", workload.LogCrashAfter(after))
		t := time.AfterFunc(after, func() { errc <- errors.New(workload.CrashReason(after)) })
		defer t.Stop()
	}
	if m := a.env(workload.EnvMemory); m != "" {
		if err := a.holdMemory(m); err != nil {
			return err
		}
	}
	if !workload.IsMode(mode) {
		return workload.NotAMode(mode)
	}
	if a.env(workload.EnvReady) == "false" {
		a.logf("%s", workload.LogNotReady)
	}
	if mode == workload.ModeJob {
		return a.job(ctx, errc)
	}
	if line := workload.LogMode(a.env); line != "" {
		a.logf("%s", line)
	}
	if mode == workload.ModeQueue {
		a.queue = &queue{}
	}
	if workload.Serves(mode) {
		stop, err := a.hangLater()
		if err != nil {
			return err
		}
		defer stop()
		a.goWait(func() { errc <- a.serve(ctx) })
	}
	switch mode {
	case workload.ModeWorker:
		a.goWait(func() { a.work(ctx) })
	case workload.ModeProducer:
		a.goWait(func() { a.produce(ctx) })
	case workload.ModeLoad:
		a.goWait(func() { a.load(ctx) })
	case workload.ModeTail:
		a.goWait(func() { errc <- a.tail(ctx) })
	case workload.ModeProxy:
		a.goWait(func() { errc <- a.proxy(ctx) })
	}
	select {
	case <-ctx.Done():
		if a.hung.Load() {
			return errHung // a stuck program says nothing more
		}
		a.logf("stopping")
		return nil
	case <-a.killed:
		return errKilled
	case err := <-errc:
		return err
	}
}

// job works for its EnvDuration, then says its message and is done (exit
// 0), unless it crashes first (EnvCrashAfter) or is stopped.
func (a *app) job(ctx context.Context, crashed <-chan error) error {
	d, err := a.env.JobDuration()
	if err != nil {
		return err
	}
	if d > 0 {
		a.logf("%s", workload.LogWorking(d))
	}
	done := time.NewTimer(d)
	defer done.Stop()
	select {
	case <-done.C:
	case err := <-crashed:
		return err
	case <-ctx.Done():
		a.logf("stopping")
		return nil
	}
	a.logf("%s", workload.LogMode(a.env))
	return nil
}

// holdMemory holds the asked amount through the Proc's Usage: on a real
// OS it is allocated and touched, so the kernel counts it against the
// container's limit and kills the app over it; in the sandbox the meter
// says so (ErrOOM) and the app dies as it would, without a word.
func (a *app) holdMemory(s string) error {
	n, err := parseBytes(s)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", workload.EnvMemory, s, err)
	}
	a.logf("%s", workload.LogMemory(s))
	a.held = n
	if err := a.p.Usage.Grow(n); errors.Is(err, sandbox.ErrOOM) {
		return errKilled
	}
	return nil
}

// free gives back the memory the app held.
func (a *app) free() {
	if a.held > 0 {
		_ = a.p.Usage.Grow(-a.held)
		a.held = 0
	}
}

// parseBytes reads a Kubernetes memory quantity: 300Mi, 1Gi, 500M, 1024.
func parseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not a memory amount such as 300Mi or 1Gi")
	}
	return int64(n * float64(mult)), nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
