// Package fault is kubelab's catalogue of injected faults: pods killed, a bad
// image rolled out, a broken selector, a node taken down... Each fault acts
// only inside the lesson's namespace (or on a lab node) and only on a cluster
// kubelab created.
package fault

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Env is what a fault may touch.
type Env struct {
	Client    kubernetes.Interface
	Namespace string
	// Owned is true only for a cluster kubelab created.
	Owned bool
	// Machine stops nodes and kills containers (nil: no node faults, no
	// container kills).
	Machine cluster.Machine
	// Struck, when set, hears once that the fault has done its damage: when
	// Inject returns without error, or earlier for a fault that goes on
	// (repeating, or bringing a node back later) once it first struck.
	Struck func()
}

func (e Env) struck() {
	if e.Struck != nil {
		e.Struck()
	}
}

// Fault is one injectable fault, with its parameters already checked.
type Fault interface {
	// Inject does the damage. Repeating faults keep going until done or ctx ends.
	Inject(ctx context.Context, env Env) error
	// Describe says in one line what happened, for the learner.
	Describe() string
}

// ErrNotOwned refuses to touch a cluster kubelab did not create.
var ErrNotOwned = errors.New("kubelab injects faults only into clusters it created; this one was not")

// kind describes one fault of the catalogue.
type kind struct {
	doc      string
	required []string
	optional []string
	build    func(p params) (Fault, error)
}

// Kinds lists the catalogue, sorted, with one line of documentation each.
func Kinds() map[string]string {
	out := map[string]string{}
	for n, k := range catalogue {
		out[n] = k.doc
	}
	return out
}

// Validate says what is wrong with a fault of kind name with params, for the lesson loader.
func Validate(name string, p map[string]string) error {
	_, err := New(name, p)
	return err
}

// New builds a fault from its kind and parameters.
func New(name string, p map[string]string) (Fault, error) {
	k, ok := catalogue[name]
	if !ok {
		var names []string
		for n := range catalogue {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown fault type %q (types: %s)", name, strings.Join(names, ", "))
	}
	allowed := map[string]bool{}
	for _, r := range append(append([]string{}, k.required...), k.optional...) {
		allowed[r] = true
	}
	for key := range p {
		if !allowed[key] {
			return nil, fmt.Errorf("fault %s has no parameter %q (it takes %s)", name, key, strings.Join(append(append([]string{}, k.required...), k.optional...), ", "))
		}
	}
	for _, r := range k.required {
		if p[r] == "" {
			return nil, fmt.Errorf("fault %s needs parameter %q", name, r)
		}
	}
	return k.build(params(p))
}

// Inject runs f in env after the safety checks every fault shares.
func Inject(ctx context.Context, f Fault, env Env) error {
	if !env.Owned {
		return ErrNotOwned
	}
	if !strings.HasPrefix(env.Namespace, "lab-") {
		return fmt.Errorf("refusing to inject a fault into namespace %q: faults act only in lesson namespaces", env.Namespace)
	}
	if env.Struck != nil {
		env.Struck = sync.OnceFunc(env.Struck)
	}
	if err := f.Inject(ctx, env); err != nil {
		return err
	}
	env.struck()
	return nil
}

type params map[string]string

func (p params) int(key string, def int) (int, error) {
	v, ok := p[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("parameter %s=%q must be a whole number", key, v)
	}
	return n, nil
}

func (p params) duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := p[key]
	if !ok || v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("parameter %s=%q must be a duration such as 5s", key, v)
	}
	return d, nil
}

func (p params) node(key string) (string, error) {
	n := p[key]
	for _, known := range nodes.All {
		if n == known {
			return n, nil
		}
	}
	return "", fmt.Errorf("parameter %s=%q is not a lab node (%s)", key, n, strings.Join(nodes.All, ", "))
}

// rounds is how a pod fault repeats: count pods a round (0: all of them),
// times rounds, every apart.
type rounds struct {
	count, times int
	every        time.Duration
}

// rounds reads the parameters count, times (default once) and every.
func (p params) rounds(count int, every time.Duration) (r rounds, err error) {
	if r.count, err = p.int("count", count); err != nil {
		return r, err
	}
	if r.times, err = p.int("times", 1); err != nil {
		return r, err
	}
	r.every, err = p.duration("every", every)
	return r, err
}

// describe says how often, after a fault's description of one round.
func (r rounds) describe(s string) string {
	if r.times > 1 {
		s += fmt.Sprintf(", %d times, every %s", r.times, r.every)
	}
	return s
}

// run runs one round, or times rounds every apart; the fault has struck
// after the first.
func (r rounds) run(ctx context.Context, env Env, round func() error) error {
	for i := 0; i < r.times; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(r.every):
			}
		}
		if err := round(); err != nil {
			return err
		}
		env.struck()
	}
	return nil
}
