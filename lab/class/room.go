package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// When a watcher calls a learner stuck: the same goal failing this long, or
// this many hints in one step.
const (
	StuckAfter = 5 * time.Minute
	StuckHints = 3
	// IdleAfter is how long without activity a learner is shown as idle.
	IdleAfter = 10 * time.Minute
)

// Room is a class as its watcher sees it.
type Room struct {
	Class    string
	Learners []Seat // in roster order
}

// Seat is one learner's place in the room: their latest published progress.
type Seat struct {
	Name string
	// Progress is nil until the learner's kubelab first publishes.
	Progress *Published
	// Problem says why the learner's progress could not be read.
	Problem string
}

// ErrNoClass means the cluster has no class of that name.
var ErrNoClass = errors.New("no such class on this cluster")

// readClassInfo reads a class's Info from its namespace.
func readClassInfo(ctx context.Context, cs kubernetes.Interface, class string) (*Info, error) {
	info, err := ReadInfo(ctx, cs, ClassNamespace(class))
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("class %s: %w (create it with kubelab class create %s)", class, ErrNoClass, class)
	}
	if err != nil {
		return nil, fmt.Errorf("read class %s: %w", class, err)
	}
	return &info, nil
}

// DecodeInfo reads the Info an InfoConfigMap holds.
func DecodeInfo(cm *corev1.ConfigMap) (*Info, error) {
	var info Info
	if err := json.Unmarshal([]byte(cm.Data[InfoKey]), &info); err != nil {
		return nil, fmt.Errorf("configmap %s/%s: key %s is not class info: %w", cm.Namespace, cm.Name, InfoKey, err)
	}
	return &info, nil
}

// DecodeProgress reads the Published progress a ProgressConfigMap holds:
// nil when the learner has not published yet.
func DecodeProgress(cm *corev1.ConfigMap) (*Published, error) {
	raw := cm.Data[ProgressKey]
	if raw == "" {
		return nil, nil
	}
	var p Published
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return nil, fmt.Errorf("configmap %s/%s: key %s is not kubelab progress: %w", cm.Namespace, cm.Name, ProgressKey, err)
	}
	return &p, nil
}

// EncodeProgress is the ConfigMap data that holds p.
func EncodeProgress(p *Published) (map[string]string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return map[string]string{ProgressKey: string(b)}, nil
}

// ReadRoom reads every learner's progress once (for reports).
func ReadRoom(ctx context.Context, cs kubernetes.Interface, class string) (Room, error) {
	info, err := readClassInfo(ctx, cs, class)
	if err != nil {
		return Room{}, err
	}
	room := Room{Class: class}
	for _, name := range info.Learners {
		l := Seat{Name: name}
		cm, err := cs.CoreV1().ConfigMaps(HomeNamespace(class, name)).Get(ctx, ProgressConfigMap, metav1.GetOptions{})
		if err == nil {
			l.Progress, err = DecodeProgress(cm)
		}
		if err != nil {
			l.Problem = err.Error()
		}
		room.Learners = append(room.Learners, l)
	}
	return room, nil
}

// Stuck says why a learner looks stuck at now, or "" when they do not: a
// goal of their open step failing for StuckAfter, or StuckHints hints shown
// in it, while the step has not passed.
func (p *Published) Stuck(now time.Time) string {
	if p == nil || p.Current == nil || p.Current.Passed {
		return ""
	}
	var longest time.Duration
	var goal string
	for _, g := range p.Current.Goals {
		if d := now.Sub(g.Since); !g.Passing && d > longest {
			longest, goal = d, g.Name
		}
	}
	if longest >= StuckAfter {
		return fmt.Sprintf("%q failing for %d min", goal, int(longest.Minutes()))
	}
	if p.Current.Hints >= StuckHints {
		return fmt.Sprintf("%d hints in this step", p.Current.Hints)
	}
	return ""
}

// StepsDone counts the steps finished over every lesson.
func (p *Published) StepsDone() int {
	if p == nil {
		return 0
	}
	n := 0
	for _, l := range p.Lessons {
		n += len(l.Done)
	}
	return n
}
