package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// hangLater makes the app stop answering after EnvHangAfter; stop cancels
// that when the app ends first.
func (a *app) hangLater() (stop func(), err error) {
	after, err := a.env.HangAfter()
	if err != nil || after == 0 {
		return func() {}, err
	}
	a.logf("%s", workload.LogHangAfter(after))
	t := time.AfterFunc(after, func() {
		a.hung.Store(true)
		a.logf("%s", workload.LogHung)
	})
	return func() { t.Stop() }, nil
}

// answering holds every request of a hung app until its client gives up,
// as a deadlocked server does: probes time out instead of failing fast.
// POST KillPath is answered, hung or not: it is the lab's hand.
func (a *app) answering(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == workload.KillPath {
			a.killHandler(w, r)
			return
		}
		if a.hung.Load() {
			<-r.Context().Done()
			return
		}
		next.ServeHTTP(w, r)
	})
}

// killHandler answers POST KillPath with 202 Accepted, sends it whole and
// closes the connection, then the app dies of SIGKILL: its caller on a
// real OS kills the process (exit code 137), the sandbox ends it with 137.
func (a *app) killHandler(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST kills this container (SIGKILL, exit code 137)", http.StatusMethodNotAllowed)
		a.logf("%s", workload.LogRequest(r.Method, r.URL.Path, http.StatusMethodNotAllowed, time.Since(start).Round(time.Microsecond)))
		return
	}
	body := "killing this container (SIGKILL, exit code 137)\n"
	a.logf("%s", workload.LogRequest(r.Method, r.URL.Path, http.StatusAccepted, time.Since(start).Round(time.Microsecond)))
	defer a.kill.Do(func() { close(a.killed) })
	// The answer must reach the client before the process dies: written
	// on the hijacked connection and closed, it is the kernel's (or the
	// sandbox network's) to deliver, whatever happens to the process.
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, body)
		_ = http.NewResponseController(w).Flush()
		return
	}
	fmt.Fprintf(buf, "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	_ = buf.Flush()
	_ = conn.Close()
}
