package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"charm.land/lipgloss/v2"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/kubectlver"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/tui"
)

// runTUI opens the full-screen lab.
func runTUI(ctx context.Context, streams Streams, quizCfg *tui.QuizConfig) error {
	// client-go logs through klog to stderr, which would scribble over the
	// full-screen view (say, a watch dropped while the cluster restarts).
	klog.LogToStderr(false)
	klog.SetOutput(io.Discard)
	fsys, all, err := loadLessons()
	if err != nil {
		return err
	}
	store, err := openProgress(streams)
	if err != nil {
		return err
	}
	backend, notice := autoBackend(ctx)
	p, err := provider(string(backend))
	if err != nil {
		return err
	}
	noColor := os.Getenv("NO_COLOR") != ""
	dark := true
	if !noColor {
		dark = lipgloss.HasDarkBackground(os.Stdin, os.Stdout)
	}
	h := &host{provider: p, fsys: fsys, lessons: all, store: store, notice: notice}
	return tui.Run(ctx, h, tui.DefaultStyles(dark, noColor), quizCfg)
}

// host is the TUI's view of the lab: the cluster provider, lessons, progress.
type host struct {
	provider cluster.Provider
	fsys     fs.FS
	lessons  []*lesson.Lesson
	store    *progress.Store
	lab      *labClients
	metrics  *scrape.Collector
	notice   string // why the backend was chosen, shown as the first phase
	kubectl  *kubectlver.Choice
}

func (h *host) Backend() string           { return string(h.provider.Backend()) }
func (h *host) Lessons() []*lesson.Lesson { return h.lessons }
func (h *host) LessonsFS() fs.FS          { return h.fsys }
func (h *host) Progress() progress.File   { return h.store.Snapshot() }
func (h *host) QuizStore() quiz.Store     { return quizStore() }

// quizStore keeps quizzes in <state dir>/quiz.
func quizStore() quiz.Store {
	dir, err := cluster.StateDir()
	if err != nil {
		dir = os.TempDir()
	}
	return quiz.Store{Dir: filepath.Join(dir, "quiz")}
}

func (h *host) Up(ctx context.Context, phase func(string, time.Duration)) error {
	if h.notice != "" {
		phase(h.notice, 0)
	}
	_, err := h.provider.Up(ctx, func(p cluster.Phase) { phase(p.Title, p.Elapsed) })
	if err != nil {
		return err
	}
	if err := rememberBackend(h.provider.Backend()); err != nil {
		return err
	}
	h.lab, err = clientsFor(h.provider) // Up returned: the cluster runs
	if err != nil {
		return err
	}
	// Asked here, in the TUI's background work, not when the shell opens.
	c, _ := kubectlChoice(ctx, h.lab.config)
	h.kubectl = &c
	return nil
}

func (h *host) Open(l *lesson.Lesson) (*engine.Session, error) {
	if h.lab == nil {
		return nil, cluster.ErrNotRunning
	}
	// Terminals that ran `eval "$(kubelab env)"` follow the lesson's namespace.
	if err := setKubeconfigNamespace(h.provider.KubeconfigPath(), l.Namespace()); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cfg := engine.Config{
		Lessons: h.fsys, Client: h.lab.client, Dynamic: h.lab.dynamic, Owned: true,
		SetNodeRunning: h.provider.SetNodeRunning, KillContainer: h.provider.KillContainer, Progress: h.store,
		RealContainers: h.provider.Backend() == cluster.Kind,
		Kubectl: func(ctx context.Context, ns string, args []string) (string, error) {
			cmd := exec.CommandContext(ctx, self, append([]string{"kubectl", "-n", ns}, args...)...)
			cmd.Env = append(os.Environ(), "KUBERC=off") // a learner's kubectl aliases do not change a lesson's commands
			out, err := cmd.CombinedOutput()
			return string(out), err
		},
	}
	return engine.Open(cfg, l), nil
}

func (h *host) Nodes(ctx context.Context) (int, int, error) {
	if h.lab == nil {
		return 0, 0, cluster.ErrNotRunning
	}
	nodes, err := cluster.ListNodes(ctx, h.lab.client.CoreV1().Nodes())
	ready := 0
	for _, n := range nodes {
		if n.Ready {
			ready++
		}
	}
	return ready, len(nodes), err
}

// Metrics reads the lesson app's figures: on the embedded cluster from the
// node agent that simulates them, on kind from the pods' own /metrics.
func (h *host) Metrics(ctx context.Context, ns string) (metrics.Snapshot, error) {
	if h.lab == nil {
		return metrics.Snapshot{}, cluster.ErrNotRunning
	}
	if h.metrics == nil {
		h.metrics = &scrape.Collector{Client: h.lab.client, Config: h.lab.config, Simulated: h.provider.Backend() == cluster.Embedded}
	}
	return h.metrics.Collect(ctx, ns)
}

// Shell opens the learner's shell with KUBECONFIG set to the lab (in the
// lesson's namespace) and a kubectl that matches the lab's Kubernetes on PATH:
// the installed one, or kubelab's own when none is installed or the installed
// one is outside kubectl's supported skew, as the banner then says.
func (h *host) Shell(l *lesson.Lesson) (*exec.Cmd, error) {
	shell := os.Getenv("SHELL")
	if shell == "" {
		shell = "/bin/sh"
	}
	env := append(os.Environ(), "KUBECONFIG="+h.provider.KubeconfigPath(), "KUBELAB_NAMESPACE="+l.Namespace())
	banner := fmt.Sprintf("\n  kubelab shell: kubectl works on the lab cluster, namespace %s.\n", l.Namespace())
	if h.kubectl == nil {
		var cfg *rest.Config
		if h.lab != nil {
			cfg = h.lab.config
		}
		c, _ := kubectlChoice(context.Background(), cfg)
		h.kubectl = &c
	}
	if h.kubectl.UseOwn {
		dir, err := kubectlShim(filepath.Dir(h.provider.KubeconfigPath()))
		if err != nil {
			return nil, err
		}
		env = append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		banner += "  " + h.kubectl.Why() + "\n"
	}
	banner += "  Type exit (or Ctrl-D) to go back to the lesson.\n\n"
	// The banner is an argument, not part of the script: paths stay as they are.
	cmd := exec.Command("/bin/sh", "-c", `printf '%s' "$1"; exec "$0"`, shell, banner)
	cmd.Env = env
	return cmd, nil
}

// kubectlShim writes a `kubectl` that runs kubelab's built-in one.
func kubectlShim(stateDir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(stateDir, "bin")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s kubectl \"$@\"\n", shellQuote(self))
	return dir, atomicfile.Write(filepath.Join(dir, "kubectl"), []byte(script), 0o700)
}

// setKubeconfigNamespace makes ns the default namespace of the lab kubeconfig.
func setKubeconfigNamespace(path, ns string) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return fmt.Errorf("read the lab kubeconfig: %w", err)
	}
	if c, ok := cfg.Contexts[cfg.CurrentContext]; ok {
		if c.Namespace == ns {
			return nil
		}
		c.Namespace = ns
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}
