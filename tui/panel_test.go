package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/metrics"
)

func TestPanelShowsQueueRatesAndLatency(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	var m lessonModel
	for i := range 5 {
		m = m.onMetrics(metricsMsg{snap: metrics.Snapshot{
			At: t0.Add(time.Duration(i) * time.Second), HasQueue: true, Workers: 1,
			QueueLength: float64(15 * i), OldestTaskAge: float64(i), Produced: float64(20 * i), Consumed: float64(5 * i),
			HasServer: true, Servers: 2, Requests: float64(40 * i), LatencyP95: 0.120,
		}})
	}
	out := m.panelView(DefaultStyles(true, true), 60)
	for _, want := range []string{"60 waiting", "4 s waiting", " 20.0/s", "  5.0/s", "1 ready", "40/s", "120 ms", "2 with traffic", "█"} {
		if !strings.Contains(out, want) {
			t.Errorf("panel lacks %q:\n%s", want, out)
		}
	}
	// The queue's sparkline rises with the queue.
	if !strings.Contains(out, "▃▅▆█") {
		t.Errorf("queue sparkline does not rise:\n%s", out)
	}
}

func TestPanelExplainsWhyItIsEmpty(t *testing.T) {
	t.Parallel()
	var m lessonModel
	m = m.onMetrics(metricsMsg{err: errString("pods \"x\" is forbidden")})
	if out := m.panelView(DefaultStyles(true, true), 60); !strings.Contains(out, "no figures yet: pods \"x\" is forbidden") {
		t.Errorf("panel:\n%s", out)
	}
	m = m.onMetrics(metricsMsg{snap: metrics.Snapshot{At: time.Now()}})
	if out := m.panelView(DefaultStyles(true, true), 60); !strings.Contains(out, "no lesson app pods report figures yet") {
		t.Errorf("panel:\n%s", out)
	}
}

func TestPanelKeepsALimitedHistory(t *testing.T) {
	t.Parallel()
	var m lessonModel
	for i := range 3 * panelHistory {
		m = m.onMetrics(metricsMsg{snap: metrics.Snapshot{At: time.Unix(int64(i), 0)}})
	}
	if len(m.metrics) != panelHistory+1 {
		t.Errorf("history holds %d readings, want %d", len(m.metrics), panelHistory+1)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// A curriculum longer than the screen scrolls with the cursor.
func TestHomeListScrollsToTheChosenLesson(t *testing.T) {
	t.Parallel()
	lab := newTestLab(t, "scroll")
	h := newHome(newCommon(context.Background(), lab, DefaultStyles(true, true))) // 80x24, no progress
	top := ansi.Strip(h.view())
	last := lab.lessons[len(lab.lessons)-1]
	if strings.Contains(top, last.Title) || !strings.Contains(top, "↓ more below") {
		t.Fatalf("top of the list:\n%s", top)
	}
	h.cursor = len(lab.lessons) - 1
	bottom := ansi.Strip(h.view())
	if !strings.Contains(bottom, "▸ ○ "+last.Title) || !strings.Contains(bottom, "↑ more above") || strings.Contains(bottom, "↓ more below") {
		t.Fatalf("bottom of the list:\n%s", bottom)
	}
	if n := strings.Count(bottom, "\n"); n > 24 {
		t.Errorf("the list takes %d lines on a 24-line screen", n)
	}
}
