package host

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/kubectlver"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lab/quiz"
)

// Config says which lab to host. The zero Config is the learner's own lab:
// the chosen backend, the built-in lessons, the state directory.
type Config struct {
	// Provider runs the lab cluster; nil: the provider of Backend.
	Provider cluster.Provider
	// Backend, when Provider is nil: "kind", "embedded", or "" to choose
	// (see ChooseBackend).
	Backend cluster.Backend
	// LessonsFS holds the lessons' files; nil: the built-in lessons.
	LessonsFS fs.FS
	// Lessons are the lessons offered; nil: every lesson in LessonsFS.
	Lessons []*lesson.Lesson
	// StateDir keeps progress, quizzes and the backend used last; "": the
	// state directory (cluster.StateDir).
	StateDir string
	// Kubelab is the kubelab program whose `kubelab kubectl` runs lesson
	// commands and the shell's kubectl; "": this program.
	Kubelab string
	// Warn hears what the learner should know that does not stop the lab
	// (a damaged progress file moved aside). Nil: nobody.
	Warn func(string)
}

// Lab is one learner's lab: it implements the TUI's tui.Lab.
type Lab struct {
	ctx      context.Context // for work the TUI's calls carry no context for
	provider cluster.Provider
	notice   string // why the backend was chosen, shown as the first phase
	auto     bool   // kubelab chose the backend: it may fall back (Fallback)
	fsys     fs.FS
	lessons  []*lesson.Lesson
	store    *progress.Store
	stateDir string
	kubelab  string

	upping atomic.Int32 // Ups under way (Health says starting)

	mu      sync.Mutex
	clients *Clients
	metrics *scrape.Collector
	kubectl *kubectlver.Choice
	tasks   []*engine.Session // quiz task sessions handed out, removed on Close

	// On a class's shared cluster (class.go): the lesson session open last,
	// the publisher of the learner's progress, and its goals' clock.
	current    *engine.Session
	publisher  *class.Publisher
	clock      class.GoalClock
	lastChange time.Time
}

// New prepares the lab described by cfg; the cluster is left as it is
// until Up or Connect.
func New(ctx context.Context, cfg Config) (*Lab, error) {
	h := &Lab{ctx: ctx, provider: cfg.Provider, fsys: cfg.LessonsFS, lessons: cfg.Lessons, stateDir: cfg.StateDir, kubelab: cfg.Kubelab}
	if h.stateDir == "" {
		dir, err := cluster.StateDir()
		if err != nil {
			return nil, err
		}
		h.stateDir = dir
	}
	if h.fsys == nil {
		h.fsys = builtinLessons()
	}
	if h.lessons == nil {
		_, all, err := loadFrom(h.fsys)
		if err != nil {
			return nil, err
		}
		h.lessons = all
	}
	if h.provider == nil {
		b := cfg.Backend
		if b == "" {
			b, h.notice = ChooseBackend(ctx, h.stateDir)
			h.auto = os.Getenv("KUBELAB_BACKEND") == "" // $KUBELAB_BACKEND asks as --backend does
		}
		var p cluster.Provider
		var err error
		if b == cluster.Shared {
			p, err = shared.New(h.stateDir)
		} else {
			p, err = NewProvider(b)
		}
		if err != nil {
			return nil, err
		}
		h.provider = p
	}
	store, err := OpenProgress(h.stateDir)
	var corrupt *progress.CorruptError
	switch {
	case errors.As(err, &corrupt) && store != nil:
		if cfg.Warn != nil {
			cfg.Warn(err.Error())
		}
	case err != nil:
		return nil, err
	}
	h.store = store
	return h, nil
}

// Provider runs the lab's cluster (the embedded one once Up fell back to it).
func (h *Lab) Provider() cluster.Provider { return h.prov() }

func (h *Lab) prov() cluster.Provider {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.provider
}

// Backend names the cluster backend.
func (h *Lab) Backend() string { return string(h.prov().Backend()) }

// Lessons are the lessons offered.
func (h *Lab) Lessons() []*lesson.Lesson { return h.lessons }

// LessonsFS is the FS the lessons' files live in.
func (h *Lab) LessonsFS() fs.FS { return h.fsys }

// Progress is the learner's progress so far.
func (h *Lab) Progress() progress.File { return h.store.Snapshot() }

// QuizStore keeps quiz attempts and results.
func (h *Lab) QuizStore() quiz.Store { return QuizStore(h.stateDir) }

// Up brings the cluster up (or finds it running), reporting each phase,
// remembers the backend for later commands and connects to the cluster.
func (h *Lab) Up(ctx context.Context, phase func(title string, elapsed time.Duration)) error {
	if phase == nil {
		phase = func(string, time.Duration) {}
	}
	h.upping.Add(1)
	defer h.upping.Add(-1)
	if h.notice != "" {
		phase(h.notice, 0)
	}
	progress := func(p cluster.Phase) { phase(p.Title, p.Elapsed) }
	_, err := h.prov().Up(ctx, progress)
	notice, fellBack := Fallback(err)
	fellBack = fellBack && h.auto // kind asked for: its error says what to do
	if fellBack {
		phase(notice, 0)
		p, perr := NewProvider(cluster.Embedded)
		if perr != nil {
			return perr
		}
		h.mu.Lock()
		h.provider = p
		h.mu.Unlock()
		_, err = p.Up(ctx, progress)
	}
	if err != nil {
		return err
	}
	if fellBack {
		err = RememberFallback(h.stateDir)
	} else {
		err = RememberBackend(h.stateDir, h.prov().Backend())
	}
	if err != nil {
		return err
	}
	c, err := ClientsFor(h.prov()) // Up returned: the cluster runs
	if err != nil {
		return err
	}
	// Asked here, in the front end's background work, not when the shell opens.
	choice, _ := KubectlChoice(ctx, c.Config)
	h.mu.Lock()
	h.clients, h.kubectl = c, &choice
	h.mu.Unlock()
	h.startPublisher(c)
	return nil
}

// Connect connects to the cluster when it runs, without bringing it up.
func (h *Lab) Connect(ctx context.Context) error {
	c, err := Connect(ctx, h.prov())
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.clients = c
	h.mu.Unlock()
	h.startPublisher(c)
	return nil
}

// Clients are the lab cluster's clients, or nil before Up or Connect.
func (h *Lab) Clients() *Clients {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clients
}

// EngineConfig is how the lab's sessions run: on the lab cluster, with its
// provider's machine, the learner's progress, and lesson commands run by
// kubelab's own kubectl on the lab kubeconfig, in the lesson's namespace,
// with the learner's kuberc off.
func (h *Lab) EngineConfig() (engine.Config, error) {
	c := h.Clients()
	if c == nil {
		return engine.Config{}, cluster.ErrNotRunning
	}
	kubelab, err := h.program()
	if err != nil {
		return engine.Config{}, err
	}
	kubeconfig := h.prov().KubeconfigPath()
	return engine.Config{
		Lessons: h.fsys, Client: c.Client, Dynamic: c.Dynamic, Owned: true,
		Machine: h.prov(), Progress: h.store,
		Shared: h.prov().Backend() == cluster.Shared, Changed: h.changed,
		RealContainers: h.prov().Backend() == cluster.Kind,
		Facts:          h.facts(c),
		Kubectl: func(ctx context.Context, ns string, args []string) (string, error) {
			cmd := exec.CommandContext(ctx, kubelab, append([]string{"kubectl", "--kubeconfig", kubeconfig, "-n", ns}, args...)...)
			cmd.Env = append(os.Environ(), "KUBERC=off") // a learner's kubectl aliases do not change a lesson's commands
			out, err := cmd.CombinedOutput()
			return string(out), err
		},
	}, nil
}

// facts are what the lab cluster's nodes say, for the lessons'
// {{ cluster.NAME }}: a class's shared cluster has the nodes its owner gave
// it. Nodes that cannot be read leave kubelab's own clusters' (nil), and
// StorageClasses that cannot be read (a class made before learners could)
// leave kubelab's "standard".
func (h *Lab) facts(c *Clients) lesson.Facts {
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	list, err := cluster.ListNodes(ctx, c.Client.CoreV1().Nodes())
	if err != nil || len(list) == 0 {
		return nil
	}
	roles := make(map[string][]string, len(list))
	for _, n := range list {
		roles[n.Name] = n.Roles
	}
	f := lesson.NodeFacts(roles)
	if classes, err := c.Client.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{}); err == nil {
		f[lesson.FactStorageClass] = ""
		for _, sc := range classes.Items {
			if sc.Annotations[nodes.DefaultClassAnnotation] == "true" {
				f[lesson.FactStorageClass] = sc.Name
				break
			}
		}
	}
	return f
}

// program is the kubelab program that runs kubectl.
func (h *Lab) program() (string, error) {
	if h.kubelab != "" {
		return h.kubelab, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the kubelab program: %w", err)
	}
	return self, nil
}

// Open hands out a session on l (after Up or Connect); the caller starts
// it. Terminals that ran `eval "$(kubelab env)"` follow the lesson's
// namespace. A quiz task's session starts from nothing: what an earlier
// attempt left in its namespace is removed first, and Close removes it again.
func (h *Lab) Open(l *lesson.Lesson) (*engine.Session, error) {
	cfg, err := h.EngineConfig()
	if err != nil {
		return nil, err
	}
	ns, err := h.namespaceFor(l)
	if err != nil {
		return nil, err
	}
	if err := setKubeconfigNamespace(h.prov().KubeconfigPath(), ns); err != nil {
		return nil, err
	}
	if l.QuizTask {
		if err := engine.Open(cfg, l).Cleanup(h.ctx); err != nil {
			return nil, fmt.Errorf("remove the previous attempt of the task: %w", err)
		}
	}
	s := engine.OpenIn(cfg, l, ns)
	h.mu.Lock()
	if l.QuizTask {
		h.tasks = append(h.tasks, s)
	} else {
		h.current = s
	}
	h.mu.Unlock()
	h.changed()
	return s, nil
}

// Close removes what the quiz task sessions left (their namespaces) and
// returns once they are gone, so that a process that exits next leaves none.
func (h *Lab) Close(ctx context.Context) error {
	h.mu.Lock()
	tasks := h.tasks
	h.tasks = nil
	h.mu.Unlock()
	var errs []error
	for _, s := range tasks {
		errs = append(errs, s.Cleanup(ctx))
	}
	return errors.Join(errs...)
}

// Nodes reports how many nodes are Ready, of how many.
func (h *Lab) Nodes(ctx context.Context) (ready, total int, err error) {
	c := h.Clients()
	if c == nil {
		return 0, 0, cluster.ErrNotRunning
	}
	if h.shared() != nil { // a class's nodes are the instructor's: unknown
		return 0, 0, nil
	}
	nodes, err := cluster.ListNodes(ctx, c.Client.CoreV1().Nodes())
	for _, n := range nodes {
		if n.Ready {
			ready++
		}
	}
	return ready, len(nodes), err
}

// Metrics reads the lesson app's figures in namespace ns: on the embedded
// cluster from the node agent that simulates them, on kind from the pods'
// own /metrics.
func (h *Lab) Metrics(ctx context.Context, ns string) (metrics.Snapshot, error) {
	c := h.Clients()
	if c == nil {
		return metrics.Snapshot{}, cluster.ErrNotRunning
	}
	simulated := h.prov().Backend() == cluster.Embedded
	h.mu.Lock()
	if h.metrics == nil {
		h.metrics = &scrape.Collector{Client: c.Client, Config: c.Config, Simulated: simulated}
	}
	m := h.metrics
	h.mu.Unlock()
	return m.Collect(ctx, ns)
}
