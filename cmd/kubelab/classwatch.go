package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/images"
	"github.com/kubelab/kubelab/tui"
)

// watcherTokenLife is how long the read-only token of a class watch or
// report lasts: a working day of watching.
const watcherTokenLife = 12 * time.Hour

// watcher returns a client that reads the class as its watcher: it holds no
// write permission. The admin credentials only ask for its token.
func (t *classTarget) watcher(ctx context.Context, name string) (kubernetes.Interface, error) {
	admin, cfg, err := t.admin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := class.ReadInfo(ctx, admin, class.ClassNamespace(name)); err != nil {
		return nil, explainClass(name, err)
	}
	wcfg, err := class.WatcherConfig(ctx, admin, cfg, name, watcherTokenLife)
	if err != nil {
		return nil, fmt.Errorf("get the read-only watcher's token of class %s: %w", name, err)
	}
	return kubernetes.NewForConfig(wcfg)
}

// explainClass turns a missing class into what to do.
func explainClass(name string, err error) error {
	if apierrors.IsNotFound(err) || errors.Is(err, class.ErrNoClass) {
		return fmt.Errorf("there is no class %s on this cluster: create it with `kubelab class create %s --learners N`", name, name)
	}
	return err
}

func newClassWatchCommand(streams Streams) *cobra.Command {
	var target classTarget
	cmd := &cobra.Command{
		Use:   "watch NAME",
		Short: "Watch the room live: each learner's lesson and step, goals, hints, and who looks stuck",
		Long: `Show a live grid of the class: learners by lessons and steps, each learner's open
step with its goals passing and failing, hints and attempts, last activity, and who
looks stuck (a goal failing for ` + class.StuckAfter.String() + `, or ` + fmt.Sprint(class.StuckHints) + ` hints in one step).
Press enter on a learner for their goals, s to sort. It only reads: it runs as the
class's watcher, which may read the learners' published progress and nothing else.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			name := args[0]
			cs, err := target.watcher(ctx, name)
			if err != nil {
				return err
			}
			_, all, err := loadLessons()
			if err != nil {
				return err
			}
			noColor := os.Getenv("NO_COLOR") != ""
			dark := true
			if !noColor {
				dark = lipgloss.HasDarkBackground(os.Stdin, os.Stdout)
			}
			feed := func(ctx context.Context, update func(class.Room)) error { return class.Watch(ctx, cs, name, update) }
			return tui.RunClassWatch(ctx, all, feed, tui.DefaultStyles(dark, noColor))
		},
	}
	target.flags(cmd)
	return cmd
}

func newClassReportCommand(streams Streams) *cobra.Command {
	var target classTarget
	var format, out string
	cmd := &cobra.Command{
		Use:   "report NAME",
		Short: "Export the room's progress as Markdown, JSON or CSV",
		Long: `Print the class's progress now: a row per learner (steps done, lessons finished, the
open step and its goals, hints, attempts, minutes, stuck) and a line per lesson (how
many finished it). Read-only, as class watch.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			switch format {
			case "md", "json", "csv":
			default:
				return fmt.Errorf("--format %s: use md, json or csv", format)
			}
			cs, err := target.watcher(ctx, args[0])
			if err != nil {
				return err
			}
			room, err := class.ReadRoom(ctx, cs, args[0])
			if err != nil {
				return explainClass(args[0], err)
			}
			_, all, err := loadLessons()
			if err != nil {
				return err
			}
			rep := class.NewReport(room, all, time.Now())
			if out == "" {
				return rep.Write(streams.Out, format)
			}
			var buf bytesWriter
			if err := rep.Write(&buf, format); err != nil {
				return err
			}
			if err := atomicfile.Write(out, buf.data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(streams.Out, "Wrote the report of class %s (%d learners) to %s\n", args[0], len(room.Learners), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, json or csv")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of the terminal")
	target.flags(cmd)
	return cmd
}

func newClassImagesCommand(streams Streams) *cobra.Command {
	var out, arch string
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Write the lesson app images as an archive, for a shared cluster's nodes or registry",
		Long: `Write kubelab's lesson app images (` + strings.Join(images.Tags(), ", ") + `) as one
docker-archive file. kubelab loads them itself into its own kind and embedded clusters;
a cluster someone else runs needs them on its nodes before a class starts: import the
file on each node (containerd: ctr -n k8s.io images import FILE), or docker load it and
push the tags to a registry the nodes pull from under the same names.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			dir := os.Getenv("KUBELAB_APP_DIR")
			if dir == "" {
				self, err := os.Executable()
				if err != nil {
					return err
				}
				dir = filepath.Dir(self)
			}
			bin := filepath.Join(dir, "kubelab-app-linux-"+arch)
			program, err := os.ReadFile(bin)
			if err != nil {
				return fmt.Errorf("the lesson app for linux/%s is missing (%s): rebuild kubelab with `make build`", arch, bin)
			}
			var buf bytesWriter
			if err := images.Write(&buf, program, arch); err != nil {
				return err
			}
			if err := atomicfile.Write(out, buf.data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			fmt.Fprintf(streams.Out, "Wrote %s (%d MB, linux/%s): load it on every node of the class's cluster before the class starts\n", out, len(buf.data)>>20, arch)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "kubelab-app-images.tar", "the archive to write")
	cmd.Flags().StringVar(&arch, "arch", runtime.GOARCH, "the nodes' architecture: amd64 or arm64")
	return cmd
}
