package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// load sends requests to its target at its rate and, every
// workload.LoadReportEvery, says which pods answered (the lesson app's
// answer names its pod) and how many requests failed and why.
func (a *app) load(ctx context.Context) {
	target := a.env.Get(workload.EnvTarget, workload.DefaultLoadTarget)
	var r loadReport
	a.goWait(func() {
		t := time.NewTicker(workload.LoadReportEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if line := r.take(); line != "" {
					a.logf("%s", line)
				}
			}
		}
	})
	every(ctx, a.env.Float(workload.EnvRate, workload.DefaultRate(workload.ModeLoad)), func() {
		a.goWait(func() {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+target+"/", nil)
			if err != nil {
				r.fail(target, err)
				return
			}
			resp, err := a.client.Do(req)
			if err != nil {
				if ctx.Err() == nil {
					r.fail(target, err)
				}
				return
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			_ = resp.Body.Close()
			r.answer(podOf(string(body)))
		})
	})
}

// loadReport counts the answers and failures of one report's window.
type loadReport struct {
	mu       sync.Mutex
	answered map[string]int
	failed   int
	why      string
}

func (r *loadReport) answer(pod string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.answered == nil {
		r.answered = map[string]int{}
	}
	r.answered[pod]++
}

func (r *loadReport) fail(target string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed++
	r.why = fmt.Sprintf(workload.LoadNoAnswer, workload.LoadTargetHost(target))
	if dns := (*net.DNSError)(nil); errors.As(err, &dns) && dns.IsNotFound {
		r.why = fmt.Sprintf(workload.LoadNoName, workload.LoadTargetHost(target))
	}
}

// take is the window's report ("" when nothing was sent), and starts the next.
func (r *loadReport) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.answered) == 0 && r.failed == 0 {
		return ""
	}
	line := workload.LogAnswered(r.answered, r.failed, r.why)
	r.answered, r.failed, r.why = nil, 0, ""
	return line
}

// podOf is the pod named in the lesson app's answer ("kubelab-app v1
// pod=web-1 node=..."), or "unknown".
func podOf(body string) string {
	for _, f := range strings.Fields(body) {
		if p, ok := strings.CutPrefix(f, "pod="); ok {
			return p
		}
	}
	return "unknown"
}
