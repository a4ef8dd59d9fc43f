package class

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// DefaultDebounce is how long a Publisher gathers changes before it writes:
// a burst of goal results is one write, and a watcher sees a change well
// within a second.
const DefaultDebounce = 200 * time.Millisecond

// Publisher writes a learner's progress into their ProgressConfigMap,
// with the learner's own credentials, after every change (debounced). A
// failed write is logged and retried; the local progress file stays the
// source of truth.
type Publisher struct {
	cms   corev1client.ConfigMapInterface
	state func() Published
	log   func(string)
	// Debounce gathers changes for this long before a write.
	Debounce time.Duration

	kick chan struct{}

	mu   sync.Mutex
	last string // the progress last written
}

// NewPublisher publishes, into the home namespace cms reaches, what state
// returns when asked. log hears failed writes (nil: nobody).
func NewPublisher(cms corev1client.ConfigMapInterface, state func() Published, log func(string)) *Publisher {
	if log == nil {
		log = func(string) {}
	}
	return &Publisher{cms: cms, state: state, log: log, Debounce: DefaultDebounce, kick: make(chan struct{}, 1)}
}

// Changed says something changed; it never blocks.
func (p *Publisher) Changed() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// Run publishes after each change until ctx ends, retrying failed writes
// (1 s, doubling to 30 s) until one succeeds or a new change comes.
func (p *Publisher) Run(ctx context.Context) {
	retry := time.Duration(0)
	var wait <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kick:
		case <-wait:
		}
		wait = nil
		select { // gather a burst
		case <-ctx.Done():
			return
		case <-time.After(p.Debounce):
		}
		select {
		case <-p.kick:
		default:
		}
		if err := p.Publish(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			p.log(err.Error())
			retry = min(max(2*retry, time.Second), 30*time.Second)
			wait = time.After(retry)
			continue
		}
		retry = 0
	}
}

// Publish writes the progress now, unless it is what was written last.
func (p *Publisher) Publish(ctx context.Context) error {
	pub := p.state()
	pub.Version = PublishedVersion
	data, err := json.Marshal(pub)
	if err != nil {
		return err
	}
	p.mu.Lock()
	same := p.last == string(data)
	p.mu.Unlock()
	if same {
		return nil
	}
	patch, err := json.Marshal(map[string]any{"data": map[string]string{ProgressKey: string(data)}})
	if err != nil {
		return err
	}
	if _, err := p.cms.Patch(ctx, ProgressConfigMap, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubelab"}); err != nil {
		return fmt.Errorf("publish progress to the class: %w", err)
	}
	p.mu.Lock()
	p.last = string(data)
	p.mu.Unlock()
	return nil
}

// ReadPublished reads a learner's published progress from cms (their home
// namespace); ok is false when none was published yet.
func ReadPublished(ctx context.Context, cms corev1client.ConfigMapInterface) (pub Published, ok bool, err error) {
	cm, err := cms.Get(ctx, ProgressConfigMap, metav1.GetOptions{})
	if err != nil {
		return Published{}, false, err
	}
	p, err := DecodeProgress(cm)
	if p == nil || err != nil {
		return Published{}, false, err
	}
	return *p, true, nil
}

// GoalClock remembers since when each goal of the open step has been in its
// state (Goal.Since); a new step starts it over.
type GoalClock struct {
	mu    sync.Mutex
	step  string
	state map[string]Goal
}

// Goals returns goals with Since filled: kept from before for a goal whose
// state did not change, now for one that did (or is new). step names the
// open step ("lesson/step").
func (c *GoalClock) Goals(step string, goals []Goal, now time.Time) []Goal {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.step != step || c.state == nil {
		c.step, c.state = step, map[string]Goal{}
	}
	out := make([]Goal, len(goals))
	for i, g := range goals {
		if old, ok := c.state[g.Name]; ok && old.Passing == g.Passing {
			g.Since = old.Since
		} else if g.Since.IsZero() {
			g.Since = now
		}
		c.state[g.Name] = g
		out[i] = g
	}
	return out
}
