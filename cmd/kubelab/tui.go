package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"charm.land/lipgloss/v2"
	"k8s.io/klog/v2"

	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/tui"
)

// runTUI opens the full-screen lab; with quizCfg, only that quiz.
func runTUI(ctx context.Context, streams Streams, quizCfg *tui.QuizConfig) (err error) {
	// client-go logs through klog to stderr, which would scribble over the
	// full-screen view (say, a watch dropped while the cluster restarts).
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	if lessonsDir != "" {
		if fi, err := os.Stat(lessonsDir); err != nil || !fi.IsDir() {
			return fmt.Errorf("--lessons %s is not a folder of lessons", lessonsDir)
		}
	}
	fsys, all, err := host.LessonsToShow(lessonsDir)
	if err != nil {
		return err
	}
	h, err := host.New(ctx, host.Config{LessonsFS: fsys, Lessons: all, Warn: warn(streams)})
	if err != nil {
		return err
	}
	// What the lab set up for a quiz goes before the process does, even
	// after Ctrl-C.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if cerr := h.Close(cctx); cerr != nil && err == nil {
			err = fmt.Errorf("remove the quiz tasks' namespaces: %w", cerr)
		}
	}()
	noColor := os.Getenv("NO_COLOR") != ""
	dark := true
	if !noColor {
		dark = lipgloss.HasDarkBackground(os.Stdin, os.Stdout)
	}
	return tui.Run(ctx, h, tui.DefaultStyles(dark, noColor), quizCfg)
}

// warn tells the learner on stderr what does not stop the lab.
func warn(streams Streams) func(string) {
	return func(msg string) { fmt.Fprintln(streams.Err, "kubelab: warning: "+msg) }
}
