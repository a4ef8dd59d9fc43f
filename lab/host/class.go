package host

import (
	"errors"
	"fmt"
	"time"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/shared"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// On a class's shared cluster (`kubelab join`), each lesson runs in the
// learner's namespace for it, and the learner's progress is published into
// their home namespace on every change (class.Publisher).

// ErrQuizOnShared refuses hands-on quiz tasks on a shared cluster: each
// makes a namespace of its own, which a learner may not.
var ErrQuizOnShared = errors.New("hands-on quiz tasks need a cluster of your own (`kubelab leave`, then `kubelab up`); on the class cluster, take the lessons")

// shared is the lab's class provider, or nil on a cluster of its own.
func (h *Lab) shared() *shared.Provider {
	p, _ := h.prov().(*shared.Provider)
	return p
}

// Membership says which class and learner this lab is, on a shared cluster.
func (h *Lab) Membership() (class.Membership, bool) {
	sp := h.shared()
	if sp == nil {
		return class.Membership{}, false
	}
	m, err := sp.Membership()
	return m, err == nil
}

// namespaceFor is the namespace lesson l runs in.
func (h *Lab) namespaceFor(l *lesson.Lesson) (string, error) { return LessonNamespace(h.prov(), l) }

// LessonNamespace is the namespace lesson l runs in on p's cluster: its own
// on a cluster of the learner's, the learner's namespace for it in a class.
func LessonNamespace(p cluster.Provider, l *lesson.Lesson) (string, error) {
	sp, ok := p.(*shared.Provider)
	if !ok {
		return l.Namespace(), nil
	}
	if l.QuizTask {
		return "", ErrQuizOnShared
	}
	m, err := sp.Membership()
	if err != nil {
		return "", err
	}
	ns, ok := m.Lessons[l.ID]
	if !ok {
		return "", fmt.Errorf("lesson %s is not part of class %s: ask your instructor to add it", l.ID, m.Class)
	}
	return ns, nil
}

// startPublisher starts publishing the learner's progress, once, after
// the lab connected to a shared cluster.
func (h *Lab) startPublisher(c *Clients) {
	m, ok := h.Membership()
	if !ok {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.publisher != nil {
		return
	}
	log := func(msg string) { _ = cluster.AppendLog(h.LogPath(), "publish progress: "+msg) }
	h.publisher = class.NewPublisher(c.Client.CoreV1().ConfigMaps(m.Home), func() class.Published { return h.published(m) }, log)
	go h.publisher.Run(h.ctx)
	h.publisher.Changed()
}

// changed tells the publisher, if any, that the learner's progress changed.
func (h *Lab) changed() {
	h.mu.Lock()
	p := h.publisher
	h.lastChange = time.Now().UTC()
	h.mu.Unlock()
	if p != nil {
		p.Changed()
	}
}

// published is the learner's progress now: every lesson's from the
// progress file, and the open step's from its session.
func (h *Lab) published(m class.Membership) class.Published {
	file := h.store.Snapshot()
	pub := class.Published{Class: m.Class, Learner: m.Learner, Lessons: map[string]class.LessonProgress{}}
	for id, l := range file.Lessons {
		lp := class.LessonProgress{Finished: !l.Finished.IsZero(), Done: []string{}}
		for sid, st := range l.Steps {
			if !st.Finished.IsZero() {
				lp.Done = append(lp.Done, sid)
			}
			lp.Hints += st.HintsShown
			lp.Attempts += st.Attempts
			lp.Time += st.TimeSpent
			pub.Updated = latest(pub.Updated, st.Started, st.Finished)
		}
		pub.Lessons[id] = lp
	}
	h.mu.Lock()
	s, last := h.current, h.lastChange
	h.mu.Unlock()
	if s != nil {
		pub.Current = h.currentStep(s, file)
	}
	pub.Updated = latest(pub.Updated, last)
	return pub
}

func (h *Lab) currentStep(s *engine.Session, file progress.File) *class.CurrentStep {
	i, step := s.Step()
	if step == nil {
		return nil
	}
	rs := s.Results()
	cur := &class.CurrentStep{Lesson: s.Lesson.ID, Step: step.ID, Index: i, Count: len(s.Lesson.Steps), Title: step.Title,
		Passed: len(rs) > 0 && check.AllPass(rs), Hints: len(s.ShownHints()), Available: true}
	if l := file.Lessons[s.Lesson.ID]; l != nil {
		if st := l.Steps[step.ID]; st != nil {
			cur.Started, cur.Attempts, cur.Resets, cur.Solution = st.Started, st.Attempts, st.Resets, st.SolutionRevealed
		}
	}
	goals := make([]class.Goal, len(rs))
	for k, r := range rs {
		name := r.Title // what the instructor reads; the id where a goal has no title
		if name == "" {
			name = r.ID
		}
		goals[k] = class.Goal{Name: name, Passing: r.Pass}
	}
	cur.Goals = h.clock.Goals(s.Lesson.ID+"/"+step.ID, goals, time.Now().UTC())
	return cur
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}
