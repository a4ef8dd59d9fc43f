// Package check watches a lesson's namespace and says, goal by goal, what
// already matches and what does not, with expected vs actual in words a
// newcomer understands. It reads only: it never changes the cluster.
//
// A Checker runs informers (watch events, not polling) for the kinds its
// goals name, and re-evaluates every goal on every change.
package check

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/tools/cache"

	"github.com/kubelab/kubelab/lab/lesson"
)

// Result is one goal as the learner sees it.
type Result struct {
	ID       string
	Title    string
	Pass     bool
	Expected string
	Actual   string
	// Hold is how long the goal must keep passing; Held, how long it has.
	Hold, Held time.Duration
}

// Checker evaluates one step's goals against one namespace.
type Checker struct {
	ns      string
	dyn     dynamic.Interface
	goals   []*compiled
	needed  map[Resource]bool
	mu      sync.Mutex
	stores  map[Resource]cache.Store
	since   []time.Time // when each goal started passing (zero: not passing)
	results []Result
	updates chan []Result
	kick    chan struct{}
	synced  chan struct{}
}

// New prepares a checker for goals in namespace ns.
func New(dyn dynamic.Interface, ns string, goals []lesson.Goal) (*Checker, error) {
	c := &Checker{
		ns: ns, dyn: dyn, needed: map[Resource]bool{}, stores: map[Resource]cache.Store{},
		since: make([]time.Time, len(goals)), updates: make(chan []Result, 1),
		kick: make(chan struct{}, 1), synced: make(chan struct{}),
	}
	for _, g := range goals {
		cg, err := compile(g)
		if err != nil {
			return nil, fmt.Errorf("goal %s: %w", g.ID, err)
		}
		c.goals = append(c.goals, cg)
		c.needed[cg.kind] = true
		if g.ServiceReady != nil {
			c.needed[podKind] = true
		}
	}
	return c, nil
}

// Updates delivers the results each time any of them changes; a slow reader
// gets the latest, never a backlog.
func (c *Checker) Updates() <-chan []Result { return c.updates }

// Synced is closed once the first evaluation over a full cache is done.
func (c *Checker) Synced() <-chan struct{} { return c.synced }

// Results returns the latest results.
func (c *Checker) Results() []Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Result(nil), c.results...)
}

// Run watches until ctx ends.
func (c *Checker) Run(ctx context.Context) {
	nsFactory := dynamicinformer.NewFilteredDynamicSharedInformerFactory(c.dyn, 0, c.ns, nil)
	clusterFactory := dynamicinformer.NewDynamicSharedInformerFactory(c.dyn, 0)
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { c.poke() },
		UpdateFunc: func(any, any) { c.poke() },
		DeleteFunc: func(any) { c.poke() },
	}
	var syncs []cache.InformerSynced
	for k := range c.needed {
		f := nsFactory
		if !k.Namespaced {
			f = clusterFactory
		}
		inf := f.ForResource(k.GVR).Informer()
		_, _ = inf.AddEventHandler(handler)
		c.stores[k] = inf.GetStore()
		syncs = append(syncs, inf.HasSynced)
	}
	nsFactory.Start(ctx.Done())
	clusterFactory.Start(ctx.Done())
	cache.WaitForCacheSync(ctx.Done(), syncs...)
	c.evaluate(time.Now())
	close(c.synced)

	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			nsFactory.Shutdown()
			clusterFactory.Shutdown()
			return
		case <-c.kick:
			c.evaluate(time.Now())
		case now := <-tick.C:
			if c.holding() {
				c.evaluate(now)
			}
		}
	}
}

func (c *Checker) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// holding reports whether a goal is passing but has not held long enough.
func (c *Checker) holding() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, r := range c.results {
		if r.Hold > 0 && !r.Pass && !c.since[i].IsZero() {
			return true
		}
	}
	return false
}

// List implements Reader over the informers' caches.
func (c *Checker) List(k Resource) []*unstructured.Unstructured {
	s, ok := c.stores[k]
	if !ok {
		return nil
	}
	items := s.List()
	out := make([]*unstructured.Unstructured, 0, len(items))
	for _, it := range items {
		if u, ok := it.(*unstructured.Unstructured); ok {
			out = append(out, u)
		}
	}
	return out
}

func (c *Checker) evaluate(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	results := make([]Result, len(c.goals))
	for i, g := range c.goals {
		o := g.evaluate(c)
		if g.goal.Expect != "" {
			o.expected = g.goal.Expect
		}
		if g.goal.Quiet {
			o.actual = quietActual(o.pass)
		}
		r := Result{ID: g.goal.ID, Title: g.goal.Title, Pass: o.pass, Expected: o.expected, Actual: o.actual, Hold: g.goal.HoldDuration()}
		if !o.pass {
			c.since[i] = time.Time{}
		} else if c.since[i].IsZero() {
			c.since[i] = now
		}
		if r.Hold > 0 && o.pass {
			r.Held = now.Sub(c.since[i])
			if r.Held < r.Hold {
				r.Pass = false
				r.Expected += fmt.Sprintf(", for %s", r.Hold)
				r.Actual += fmt.Sprintf("; held for %s of %s", r.Held.Truncate(time.Second), r.Hold)
			}
		} else if r.Hold > 0 {
			r.Expected += fmt.Sprintf(", for %s", r.Hold)
		}
		results[i] = r
	}
	changed := !sameResults(c.results, results)
	c.results = results
	if changed {
		select {
		case <-c.updates:
		default:
		}
		c.updates <- results
	}
}

func sameResults(a, b []Result) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Pass != y.Pass || x.Expected != y.Expected || x.Actual != y.Actual || x.Held.Truncate(time.Second) != y.Held.Truncate(time.Second) {
			return false
		}
	}
	return true
}

// AllPass reports whether every result passes.
func AllPass(rs []Result) bool {
	for _, r := range rs {
		if !r.Pass {
			return false
		}
	}
	return len(rs) > 0
}

// quietActual is a quiet goal's now line: whether it passes, not why not.
func quietActual(pass bool) string {
	if pass {
		return "yes"
	}
	return "not yet"
}
