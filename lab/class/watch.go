package class

import (
	"context"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Watch follows a class live until ctx ends: the class's Info (so learners
// added by a later `class create` appear) and each learner's
// ProgressConfigMap, each watched in its own namespace only. After every
// change it calls update with a copy of the whole room; updates never
// overlap, and changes that arrive while one runs are folded into the next.
// It only reads: cs may be the watcher's read-only identity.
func Watch(ctx context.Context, cs kubernetes.Interface, class string, update func(Room)) error {
	info, err := readClassInfo(ctx, cs, class)
	if err != nil {
		return err
	}
	w := &watcher{cs: cs, class: class, progress: map[string]*Published{}, problems: map[string]string{},
		watching: map[string]bool{}, changed: make(chan struct{}, 1)}
	w.setLearners(ctx, info.Learners)
	go w.follow(ctx, ClassNamespace(class), InfoConfigMap, func(cm *corev1.ConfigMap) {
		if info, err := DecodeInfo(cm); err == nil {
			w.setLearners(ctx, info.Learners)
		}
	})
	w.signal()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.changed:
			update(w.room())
		}
	}
}

type watcher struct {
	cs      kubernetes.Interface
	class   string
	changed chan struct{}

	mu       sync.Mutex
	learners []string
	progress map[string]*Published
	problems map[string]string
	watching map[string]bool
}

func (w *watcher) signal() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

// setLearners starts watching every learner not yet watched.
func (w *watcher) setLearners(ctx context.Context, names []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, name := range names {
		if w.watching[name] {
			continue
		}
		w.watching[name] = true
		w.learners = append(w.learners, name)
		go w.follow(ctx, HomeNamespace(w.class, name), ProgressConfigMap, func(cm *corev1.ConfigMap) {
			p, err := DecodeProgress(cm)
			w.mu.Lock()
			w.progress[name] = p
			if err != nil {
				w.problems[name] = err.Error()
			} else {
				delete(w.problems, name)
			}
			w.mu.Unlock()
		})
	}
	w.signal()
}

// follow runs an informer on one named ConfigMap and hands every version of
// it to seen, then signals a change.
func (w *watcher) follow(ctx context.Context, ns, name string, seen func(*corev1.ConfigMap)) {
	lw := cache.NewFilteredListWatchFromClient(w.cs.CoreV1().RESTClient(), "configmaps", ns, func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
	})
	on := func(obj any) {
		if cm, ok := obj.(*corev1.ConfigMap); ok {
			seen(cm)
			w.signal()
		}
	}
	_, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    &corev1.ConfigMap{},
		ResyncPeriod:  time.Minute,
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    on,
			UpdateFunc: func(_, obj any) { on(obj) },
		},
	})
	ctrl.RunWithContext(ctx)
}

func (w *watcher) room() Room {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := Room{Class: w.class}
	for _, name := range slices.Clone(w.learners) {
		r.Learners = append(r.Learners, Seat{Name: name, Progress: w.progress[name], Problem: w.problems[name]})
	}
	return r
}
