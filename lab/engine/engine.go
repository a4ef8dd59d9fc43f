// Package engine runs a lesson: its namespace, each step's setup, faults and
// live checks, hints and the reference solution, and the learner's progress.
// It emits Events for a front end (the TUI, `kubelab check`, proofs) and
// never prints.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/fault"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// Kubectl runs kubectl args in namespace ns and returns its combined output.
type Kubectl func(ctx context.Context, ns string, args []string) (string, error)

// Config is what the engine needs from its host.
type Config struct {
	// Lessons is the FS the lessons were loaded from.
	Lessons fs.FS
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
	// Owned must be true only for a cluster kubelab created: faults refuse otherwise.
	Owned bool
	// Machine stops nodes and kills containers for faults, and starts again
	// the nodes a lesson took down (nil: no node or container faults).
	Machine cluster.Machine
	// RealContainers is true on clusters with real containers (kind), which
	// start slower: proofs give them longer to converge.
	RealContainers bool
	// Settle, when set, is how long proofs and catch-up wait for a
	// solution's effect (default: a minute, two with real containers).
	Settle time.Duration
	// SkipCases leaves accepted and rejected cases out of proofs (the
	// in-order and lone-step proofs still run): on kind, where each takes
	// real containers' time.
	SkipCases bool
	Kubectl   Kubectl
	// Progress, when set, records the learner's progress.
	Progress *progress.Store
	// Shared runs as a learner on a class's shared cluster (shared.go): the
	// namespace exists and stays, the class's objects in it are kept,
	// nothing outside it is touched, and steps that need more are refused.
	Shared bool
	// Changed, when set, hears that something a watcher could see changed:
	// an event was emitted or the learner's progress recorded (a step
	// started or passed, a hint shown). It must not block: a publisher of
	// the learner's progress (lab/class) reads the session afterwards.
	Changed func()
	// Facts are what the cluster's nodes say ({{ cluster.NAME }} in a
	// lesson: its worker count, its control plane's name); nil: those of
	// kubelab's own clusters (lesson.DefaultFacts).
	Facts lesson.Facts
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventResults: the goals' results changed.
	EventResults EventKind = iota
	// EventFaultInjected: a fault struck; Message says what it did.
	EventFaultInjected
	// EventStepPassed: every goal of the step passes (sent each time it newly does).
	EventStepPassed
	// EventProblem: something went wrong; Message is one sentence for the learner.
	EventProblem
	// EventPreparing: the step is being set up; Message says with what.
	EventPreparing
)

// Event is one thing a front end may show.
type Event struct {
	Kind    EventKind
	Step    int
	Results []check.Result
	Message string
	At      time.Time
}

// Session is one learner working through one lesson.
type Session struct {
	cfg    Config
	Lesson *lesson.Lesson
	ns     string
	// unlocalized is the lesson as written, {{ cluster.NAME }} and all.
	unlocalized *lesson.Lesson

	mu        sync.Mutex
	step      int
	stepStart time.Time
	cancel    context.CancelFunc
	done      chan struct{}
	checker   *check.Checker
	results   []check.Result
	passed    bool
	shown     []int // indexes of the step's hints shown, in order
	events    chan Event
	evMu      sync.Mutex // guards closed and every send on events
	closed    bool
}

// ErrClosed is returned by Start on a session that was closed.
var ErrClosed = errors.New("the lesson session is closed")

// Open starts a session on l. Call Start to begin a step.
func Open(cfg Config, l *lesson.Lesson) *Session {
	return OpenIn(cfg, l, l.Namespace())
}

// OpenIn is Open with the lesson in namespace ns (a "lab-" name) instead of
// its own: proofs run one lesson's cases side by side.
//
// The session's Lesson is l with the cluster's facts filled in.
func OpenIn(cfg Config, l *lesson.Lesson, ns string) *Session {
	f := cfg.Facts
	if f == nil {
		f = lesson.DefaultFacts()
	}
	return &Session{cfg: cfg, Lesson: l.Localize(f), unlocalized: l, ns: ns, step: -1, events: make(chan Event, 64)}
}

// Events delivers what happens until Close closes it. A front end that
// stops reading misses events but never blocks the engine.
func (s *Session) Events() <-chan Event { return s.events }

func (s *Session) emit(e Event) {
	e.At = time.Now()
	s.evMu.Lock()
	defer s.evMu.Unlock()
	if s.closed { // a fault may strike after Close
		return
	}
	if s.cfg.Changed != nil {
		s.cfg.Changed()
	}
	select {
	case s.events <- e:
	default:
	}
}

// Namespace is the lesson's namespace.
func (s *Session) Namespace() string { return s.ns }

// Step returns the current step's index and definition.
func (s *Session) Step() (int, *lesson.Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.step < 0 {
		return -1, nil
	}
	return s.step, &s.Lesson.Steps[s.step]
}

// Results returns the latest goal results of the current step.
func (s *Session) Results() []check.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]check.Result(nil), s.results...)
}

// Start begins step i: the namespace exists, the step's setup is applied,
// its checker watches and its faults are scheduled. The previous step's
// checker and pending faults stop; the cluster keeps what the learner built.
// The hints shown start over.
func (s *Session) Start(ctx context.Context, i int) error {
	return s.start(ctx, i, false)
}

// start is Start; keepHints keeps the hints shown (Reset restarts the same
// step, and what the learner has read stays on screen).
func (s *Session) start(ctx context.Context, i int, keepHints bool) error {
	if i < 0 || i >= len(s.Lesson.Steps) {
		return fmt.Errorf("lesson %s has no step %d", s.Lesson.ID, i+1)
	}
	s.evMu.Lock()
	closed := s.closed
	s.evMu.Unlock()
	if closed {
		return ErrClosed
	}
	s.stop()
	if s.cfg.Shared {
		if why := Needs(s.cfg.Lessons, s.Lesson, i); why != "" {
			return &UnavailableError{Why: why}
		}
	}
	if why := s.needsFacts(i); why != "" {
		return &UnavailableError{Why: why}
	}
	if err := s.ensureNamespace(ctx); err != nil {
		return err
	}
	step := &s.Lesson.Steps[i]
	// What the step builds on, where it is missing; a problem is said
	// (EventProblem) and the step goes on: reset rebuilds it from empty.
	s.catchUp(ctx, i)
	if err := s.applySetup(ctx, step); err != nil {
		return err
	}
	c, err := check.New(s.cfg.Dynamic, s.Namespace(), step.Goals)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.mu.Lock()
	s.step, s.stepStart, s.cancel, s.done = i, time.Now(), cancel, make(chan struct{})
	s.checker, s.results, s.passed = c, nil, false
	if !keepHints {
		s.shown = nil
	}
	done := s.done
	s.mu.Unlock()
	s.record(func(_ *progress.Lesson, st *progress.Step) {})
	s.logEvent("step-started", "")

	go c.Run(runCtx)
	s.startFaults(runCtx, step)
	go s.watch(runCtx, i, c, done)
	select {
	case <-c.Synced():
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// Close stops the current step's work, records the time spent and closes
// Events, so a listener ends. Cleanup still works after Close; Start does not.
func (s *Session) Close() {
	s.stop()
	s.evMu.Lock()
	defer s.evMu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.events)
	}
}

func (s *Session) stop() {
	s.mu.Lock()
	cancel, done, step, start := s.cancel, s.done, s.step, s.stepStart
	s.cancel, s.done = nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
	if step >= 0 && s.cfg.Progress != nil {
		spent := time.Since(start)
		_ = s.cfg.Progress.Update(s.Lesson.ID, s.Lesson.Steps[step].ID, func(_ *progress.Lesson, st *progress.Step) { st.TimeSpent += spent })
	}
}

// watch relays the checker's results, counts attempts, fires goal-triggered
// faults and reports a passed step.
func (s *Session) watch(ctx context.Context, i int, c *check.Checker, done chan struct{}) {
	defer close(done)
	prev := map[string]bool{}
	for _, r := range s.Results() { // a resynced step's goals that passed already
		prev[r.ID] = r.Pass
	}
	for {
		select {
		case <-ctx.Done():
			return
		case rs := <-c.Updates():
			attempts := 0
			for _, r := range rs {
				if r.Pass && !prev[r.ID] {
					attempts++
					s.logEvent("goal-passed", r.ID)
				}
				prev[r.ID] = r.Pass
			}
			all := check.AllPass(rs)
			s.mu.Lock()
			s.results = rs
			newlyPassed := all && !s.passed
			s.passed = all
			s.mu.Unlock()
			s.emit(Event{Kind: EventResults, Step: i, Results: rs})
			if attempts > 0 || newlyPassed {
				s.record(func(l *progress.Lesson, st *progress.Step) {
					st.Attempts += attempts
					if newlyPassed && st.Finished.IsZero() {
						st.Finished = time.Now().UTC()
						if i == len(s.Lesson.Steps)-1 && l.Finished.IsZero() {
							l.Finished = st.Finished
						}
					}
				})
			}
			if newlyPassed {
				s.logEvent("step-finished", "")
				s.emit(Event{Kind: EventStepPassed, Step: i, Results: rs, Message: "Every goal of this step passes."})
			}
		}
	}
}

// startFaults injects the step's faults as the step starts.
func (s *Session) startFaults(ctx context.Context, step *lesson.Step) {
	for _, spec := range step.Faults {
		f, err := fault.New(spec.Type, spec.Params)
		if err != nil {
			s.emit(Event{Kind: EventProblem, Message: err.Error()})
			continue
		}
		go s.inject(ctx, f)
	}
}

func (s *Session) inject(ctx context.Context, f fault.Fault) {
	env := fault.Env{Client: s.cfg.Client, Namespace: s.Namespace(), Owned: s.cfg.Owned, Machine: s.cfg.Machine,
		// Said when the damage is done, not when it begins: a bad image
		// waits for the controller to see it, a killed container for a
		// running one. The proofs run the solution only after this.
		Struck: func() {
			s.logEvent("fault", f.Describe())
			s.emit(Event{Kind: EventFaultInjected, Message: f.Describe()})
		}}
	if err := fault.Inject(ctx, f, env); err != nil && !errors.Is(err, context.Canceled) {
		why := err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			why = "what it acts on did not appear in time"
		}
		s.emit(Event{Kind: EventProblem, Message: "This step's fault could not strike (" + why + "): press r to reset the step, which sets it up again."})
	}
}

func (s *Session) ensureNamespace(ctx context.Context) error {
	if s.cfg.Shared {
		return s.sharedNamespace(ctx)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   s.Namespace(),
		Labels: map[string]string{"kubelab.dev/lesson": s.Lesson.ID},
	}}
	// A namespace still terminating (a proof's, or a lesson closed a moment
	// ago) takes no objects: wait until it is gone, then make it anew.
	if old, err := s.cfg.Client.CoreV1().Namespaces().Get(ctx, s.Namespace(), metav1.GetOptions{}); err == nil && old.DeletionTimestamp != nil {
		if err := s.deleteNamespace(ctx); err != nil {
			return err
		}
	}
	_, err := s.cfg.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", s.Namespace(), err)
	}
	// Pods can be created once the namespace has its default ServiceAccount.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := s.cfg.Client.CoreV1().ServiceAccounts(s.Namespace()).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s has no default service account after 30s; is the controller manager running?", s.Namespace())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// RevealSolution records that the learner looked at the solution and returns it.
func (s *Session) RevealSolution() lesson.Solution {
	_, step := s.Step()
	if step == nil {
		return lesson.Solution{}
	}
	s.record(func(_ *progress.Lesson, st *progress.Step) { st.SolutionRevealed = true })
	s.logEvent("solution", "")
	return step.Solution
}

// logEvent appends a progress event for the current step.
func (s *Session) logEvent(kind, detail string) {
	i, step := s.Step()
	if s.cfg.Progress == nil || i < 0 {
		return
	}
	_ = s.cfg.Progress.Log(progress.Event{Lesson: s.Lesson.ID, Step: step.ID, Kind: kind, Detail: detail})
}

func (s *Session) record(f func(l *progress.Lesson, st *progress.Step)) {
	i, step := s.Step()
	if s.cfg.Progress == nil || i < 0 {
		return
	}
	if err := s.cfg.Progress.Update(s.Lesson.ID, step.ID, f); err != nil {
		s.emit(Event{Kind: EventProblem, Message: "your progress could not be saved: " + err.Error()})
	}
	if s.cfg.Changed != nil {
		s.cfg.Changed()
	}
}
