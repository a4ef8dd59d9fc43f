package tui

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

// panelHistory is how many readings (one a second) the sparklines show.
const panelHistory = 40

func (m lessonModel) metricsCmd() tea.Cmd {
	if m.session == nil {
		return nil
	}
	c, ns := m.c, m.session.Namespace()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(c.ctx, 3*time.Second)
		defer cancel()
		s, err := c.lab.Metrics(ctx, ns)
		return metricsMsg{snap: s, err: err}
	}
}

func (m lessonModel) wantsMetrics() bool {
	return m.les != nil && m.les.Steps[m.step].Panel == lesson.PanelMetrics
}

func (m lessonModel) onMetrics(msg metricsMsg) lessonModel {
	if msg.err != nil {
		m.metricsErr = msg.err.Error()
		return m
	}
	m.metricsErr = ""
	m.metrics = append(m.metrics, msg.snap)
	if len(m.metrics) > panelHistory+1 {
		m.metrics = m.metrics[len(m.metrics)-panelHistory-1:]
	}
	return m
}

// panelView draws the on-duty panel: the queue's length and oldest task,
// tasks in and out per second, requests per second and latency.
func (m lessonModel) panelView(s Styles, w int) string {
	var b strings.Builder
	b.WriteString(s.PanelTitle.Render("On duty · live from /metrics") + "\n")
	if len(m.metrics) == 0 {
		if m.metricsErr != "" {
			b.WriteString(s.Muted.Render(wrap.Words("no figures yet: "+m.metricsErr, w, "")))
		} else {
			b.WriteString(s.Muted.Render("reading…"))
		}
		return b.String()
	}
	last := m.metrics[len(m.metrics)-1]
	spark := max(8, min(panelHistory, w-30))
	series := func(f func(i int) float64) []float64 {
		var out []float64
		for i := max(1, len(m.metrics)-spark); i < len(m.metrics); i++ {
			out = append(out, f(i))
		}
		return out
	}
	rate := func(i int) metrics.Rates { return metrics.RatesBetween(m.metrics[i-1], m.metrics[i]) }
	label := func(t string) string { return s.Muted.Render(fmt.Sprintf("%-9s", t)) }
	if last.HasQueue {
		lengths := series(func(i int) float64 { return m.metrics[i].QueueLength })
		b.WriteString(label("queue") + s.Warn.Render(sparkline(lengths)) + fmt.Sprintf(" %.0f waiting\n", last.QueueLength))
		b.WriteString(label("oldest") + fmt.Sprintf("%s waiting\n", ageText(last.OldestTaskAge)))
		var in, out float64
		if len(m.metrics) > 1 {
			r := rate(len(m.metrics) - 1)
			in, out = r.Produced, r.Consumed
		}
		top := math.Max(1, math.Max(in, out))
		bar := max(4, w-28)
		b.WriteString(label("in") + fmt.Sprintf("%5.1f/s ", in) + s.Fail.Render(strings.Repeat("█", int(math.Round(in/top*float64(bar))))) + "\n")
		b.WriteString(label("out") + fmt.Sprintf("%5.1f/s ", out) + s.Pass.Render(strings.Repeat("█", int(math.Round(out/top*float64(bar))))) + "\n")
		b.WriteString(label("workers") + fmt.Sprintf("%d ready\n", last.Workers))
	}
	if last.HasServer {
		rps := series(func(i int) float64 { return rate(i).Requests })
		now := 0.0
		if len(rps) > 0 {
			now = rps[len(rps)-1]
		}
		b.WriteString(label("requests") + s.Pass.Render(sparkline(rps)) + fmt.Sprintf(" %.0f/s\n", now))
		lat := series(func(i int) float64 { return m.metrics[i].LatencyP95 })
		b.WriteString(label("p95") + s.Warn.Render(sparkline(lat)) + fmt.Sprintf(" %.0f ms\n", last.LatencyP95*1000))
		b.WriteString(label("servers") + fmt.Sprintf("%d with traffic\n", last.Servers))
	}
	if !last.HasQueue && !last.HasServer {
		b.WriteString(s.Muted.Render("no lesson app pods report figures yet"))
	}
	return strings.TrimRight(b.String(), "\n")
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws vs scaled to their maximum, one rune each.
func sparkline(vs []float64) string {
	top := 0.0
	for _, v := range vs {
		top = math.Max(top, v)
	}
	var b strings.Builder
	for _, v := range vs {
		i := 0
		if top > 0 {
			i = int(math.Round(v / top * float64(len(sparks)-1)))
		}
		b.WriteRune(sparks[max(0, min(len(sparks)-1, i))])
	}
	return b.String()
}

func ageText(sec float64) string {
	if sec < 60 {
		return fmt.Sprintf("%.0f s", sec)
	}
	return fmt.Sprintf("%dm%02ds", int(sec)/60, int(sec)%60)
}
