package main

import (
	"errors"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// errHung ends a hung app that is asked to stop: main lets the SIGTERM it
// no longer handles end the process (workload.HungExitCode), as a stuck
// program's would.
var errHung = errors.New("stopped while hung")

// hangLater makes the app stop answering after EnvHangAfter.
func (a *app) hangLater() error {
	after, err := a.env.HangAfter()
	if err != nil || after == 0 {
		return err
	}
	a.logf("%s", workload.LogHangAfter(after))
	time.AfterFunc(after, func() {
		a.hung.Store(true)
		a.logf("%s", workload.LogHung)
	})
	return nil
}

// answering holds every request of a hung app until its client gives up,
// as a deadlocked server does: probes time out instead of failing fast.
func (a *app) answering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.hung.Load() {
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
}

// dieOfSIGTERM ends the process by the signal's default action.
func dieOfSIGTERM() {
	signal.Reset(syscall.SIGTERM)
	_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
	time.Sleep(time.Second)
	os.Exit(workload.HungExitCode)
}
