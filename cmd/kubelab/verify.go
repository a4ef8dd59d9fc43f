package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
	"github.com/kubelab/kubelab/lab/cluster/kind"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
)

// verifyOptions are verify's flags.
type verifyOptions struct {
	backend cluster.Backend
	verbose bool // each solution command's output under its row
}

func newVerifyCommand(streams Streams) *cobra.Command {
	var backend string
	var opts verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [DIR|LESSON]",
		Short: "Prove lessons on a cluster of their own: goals fail before each solution and pass after",
		Long: `For every step of every lesson, check that the step's premises are seen and its
goals fail after the step's setup and faults, then that they pass after its
reference solution: the steps in order, each step alone, and each accepted and
rejected case. Prints a table with timings; exit status 1 if any proof fails.
Without an argument, the built-in lessons; LESSON is a built-in lesson's id.

--backend embedded (the default) starts a fresh embedded cluster of its own.
--backend kind proves on kubelab's kind cluster (brought up when it does not
run, and taken down again after), in namespaces of its own, in order and each
step alone: the cases, which cost real containers' minutes each, are proven on
the embedded backend.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.backend = cluster.Backend(backend)
			if opts.backend != cluster.Embedded && opts.backend != cluster.Kind {
				return fmt.Errorf("unknown backend %q; use --backend embedded or --backend kind", backend)
			}
			fsys, all, err := verifyTargets(args)
			if err != nil {
				return err
			}
			return verify(cmd.Context(), streams, fsys, all, opts)
		},
	}
	cmd.Flags().StringVar(&backend, "backend", string(cluster.Embedded), "the backend to prove on: embedded (a fresh cluster of simulated nodes) or kind (real containers; needs Docker)")
	cmd.Flags().BoolVarP(&opts.verbose, "verbose", "v", false, "show each solution command's output under its row")
	return cmd
}

func verifyTargets(args []string) (fs.FS, []*lesson.Lesson, error) {
	if len(args) == 1 {
		if fi, err := os.Stat(args[0]); err == nil && fi.IsDir() {
			return host.LessonsAt(args[0])
		}
	}
	fsys, all, err := loadLessons()
	if err != nil || len(args) == 0 {
		return fsys, all, err
	}
	l, err := host.FindLesson(all, args[0])
	if err != nil {
		return nil, nil, err
	}
	return fsys, []*lesson.Lesson{l}, nil
}

func verify(ctx context.Context, streams Streams, fsys fs.FS, all []*lesson.Lesson, opts verifyOptions) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "kubelab-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Lessons that do not say they run on the backend are not proven there.
	var skipped []string
	proven := slices.DeleteFunc(slices.Clone(all), func(l *lesson.Lesson) bool {
		if slices.Contains(backendsOf(l), string(opts.backend)) {
			return false
		}
		skipped = append(skipped, l.ID)
		return true
	})
	ecfg, parallel, stop, err := verifyLab(ctx, streams, dir, fsys, proven, opts.backend)
	if err != nil {
		return err
	}
	defer stop()
	rows, failed := proveRows(ctx, ecfg, proven, parallel, opts.backend)
	printProofs(streams, all, rows, failed, opts.verbose)
	fmt.Fprintf(streams.Out, "%d of %d lesson(s) proven on the %s backend in %s.\n", len(proven)-len(failed), len(proven), opts.backend, time.Since(start).Round(100*time.Millisecond))
	if len(skipped) > 0 {
		fmt.Fprintf(streams.Out, "Not proven on %s: %s (the lesson's backends leave it out).\n", opts.backend, strings.Join(skipped, ", "))
	}
	for _, b := range lesson.AllBackends() {
		if b == string(opts.backend) {
			continue
		}
		var declared []string
		for _, l := range all {
			if slices.Contains(backendsOf(l), b) {
				declared = append(declared, l.ID)
			}
		}
		if len(declared) > 0 {
			fmt.Fprintf(streams.Out, "%s: not proven (run kubelab verify --backend %s); declared by %s.\n", b, b, strings.Join(declared, ", "))
		}
	}
	if len(failed) > 0 {
		return &exitError{}
	}
	return nil
}

// backendsOf is the backends lesson l says it runs on.
func backendsOf(l *lesson.Lesson) []string {
	if len(l.Backends) == 0 {
		return lesson.AllBackends()
	}
	return l.Backends
}

// verifyLab brings up the cluster the proofs run on and returns the
// engine's config on it, how many lessons to prove at once (0: all), and
// what to do when the proofs are done.
func verifyLab(ctx context.Context, streams Streams, dir string, fsys fs.FS, all []*lesson.Lesson, backend cluster.Backend) (engine.Config, int, func(), error) {
	var p cluster.Provider
	var err error
	if backend == cluster.Kind {
		// kubelab's own kind cluster: there is one of that name.
		p, err = kind.New()
	} else {
		p, err = embedded.New(embedded.WithStateDir(filepath.Join(dir, "embedded")), embedded.WithPort(-1))
	}
	if err != nil {
		return engine.Config{}, 0, nil, err
	}
	// Progress and the backend remembered stay in dir: the learner's own are untouched.
	h, err := host.New(ctx, host.Config{Provider: p, LessonsFS: fsys, Lessons: all, StateDir: dir})
	if err != nil {
		return engine.Config{}, 0, nil, err
	}
	stop := func() { _ = p.Down(context.WithoutCancel(ctx)) }
	if backend == cluster.Kind && h.Connect(ctx) == nil {
		fmt.Fprintln(streams.Out, "Proving on kubelab's kind cluster, which runs; it is left running.")
		stop = func() {}
	} else {
		fmt.Fprintf(streams.Out, "Starting a fresh %s cluster for the proofs...\n", backend)
		if err := h.Up(ctx, nil); err != nil {
			stop()
			return engine.Config{}, 0, nil, err
		}
	}
	ecfg, err := h.EngineConfig()
	if err != nil {
		stop()
		return engine.Config{}, 0, nil, err
	}
	if backend == cluster.Kind {
		// As make e2e-kind: in order and each step alone, a few lessons at a time.
		ecfg.SkipCases = true
		return ecfg, 3, stop, nil
	}
	return ecfg, 0, stop, nil
}

// proofRow is one proof of one lesson's step.
type proofRow struct {
	lesson string
	proof  engine.StepProof
}

// proveRows proves lessons and returns a row per proof, and the error of
// each lesson that failed. On kind, whose cluster may hold a learner's
// lessons, each lesson is proven in namespaces of its own (lab-verify-ID...).
func proveRows(ctx context.Context, ecfg engine.Config, all []*lesson.Lesson, parallel int, backend cluster.Backend) ([]proofRow, map[string]error) {
	const prefix = "verify-"
	proving := all
	if backend == cluster.Kind {
		proving = nil
		for _, l := range all {
			cp := *l
			cp.ID = prefix + l.ID
			proving = append(proving, &cp)
		}
	}
	var rows []proofRow
	failed := engine.ProveAll(ctx, ecfg, proving, parallel, func(id string, sp engine.StepProof) {
		rows = append(rows, proofRow{strings.TrimPrefix(id, prefix), sp})
	})
	if backend == cluster.Kind {
		named := map[string]error{}
		for id, err := range failed {
			named[strings.TrimPrefix(id, prefix)] = errors.New(strings.Replace(err.Error(), "lesson "+prefix, "lesson ", 1))
		}
		failed = named
	}
	return rows, failed
}
