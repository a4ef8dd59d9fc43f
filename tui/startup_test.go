package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/cluster"
)

// A node image's download is one line that says how far it is, not a line
// per report: the lesson list shows at once, its cluster line the phase.
func TestStartupShowsADownloadOnOneLine(t *testing.T) {
	t.Parallel()
	if progressSeparator != cluster.ProgressSeparator {
		t.Fatalf("the TUI parts progress with %q, lab/cluster with %q", progressSeparator, cluster.ProgressSeparator)
	}
	m := New(context.Background(), newTestLab(t, "pull"), DefaultStyles(true, true))
	pull := "Pulling the node image kindest/node:v1.37.0"
	for i, title := range []string{"Checking the Docker engine", pull, pull + " · 0 of 9 layers", pull + " · 120 MB of 450 MB (26%), 3 of 9 layers"} {
		next, _ := m.Update(phaseMsg{title: title, elapsed: time.Duration(i) * time.Second})
		m = next.(Model)
	}
	view := ansi.Strip(m.View().Content)
	if n := strings.Count(view, "Pulling the node image"); n != 1 {
		t.Errorf("%d lines for the download:\n%s", n, view)
	}
	if !strings.Contains(view, "120 MB of 450 MB (26%), 3 of 9 layers") {
		t.Errorf("the screen lacks the download's progress:\n%s", view)
	}
}
