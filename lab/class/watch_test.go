package class_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

var classSeq atomic.Int64

func className() string { return fmt.Sprintf("w%d-%d", time.Now().UnixNano()%100000, classSeq.Add(1)) }

// watcherClient is the class's read-only watcher identity, as class watch uses.
func watcherClient(t testing.TB, name string) kubernetes.Interface {
	t.Helper()
	env := clustertest.Cluster(t)
	cfg, err := class.WatcherConfig(context.Background(), env.Client, env.Config, name, time.Hour)
	if err != nil {
		t.Fatalf("watcher config: %v", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func publish(t testing.TB, cs kubernetes.Interface, name, learner string, p *class.Published) {
	t.Helper()
	data, err := class.EncodeProgress(p)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: class.ProgressConfigMap}, Data: data}
	if _, err := cs.CoreV1().ConfigMaps(class.HomeNamespace(name, learner)).Update(context.Background(), cm, metav1.UpdateOptions{}); err != nil {
		t.Errorf("publish %s: %v", learner, err)
	}
}

// latest keeps the last room a watcher reported.
type latest struct {
	mu   sync.Mutex
	room class.Room
	n    int
}

func (l *latest) set(r class.Room) { l.mu.Lock(); l.room = r; l.n++; l.mu.Unlock() }
func (l *latest) get() class.Room  { l.mu.Lock(); defer l.mu.Unlock(); return l.room }

func TestWatchSeesEachLearnersChange(t *testing.T) {
	t.Parallel()
	name := className()
	res := newClass(t, name, []string{"ana", "ben"}, []string{"pods"}, "")
	ben, _, _ := as(t, kubeconfigOf(t, res, "ben"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got latest
	go func() {
		if err := class.Watch(ctx, watcherClient(t, name), name, got.set); err != nil {
			t.Errorf("watch: %v", err)
		}
	}()
	clustertest.Eventually(t, 30*time.Second, "both learners listed, nothing published", func(context.Context) (bool, string) {
		r := got.get()
		return len(r.Learners) == 2 && r.Learners[0].Name == "ana" && r.Learners[0].Progress == nil, fmt.Sprintf("%+v", r)
	})
	publish(t, ben, name, "ben", &class.Published{Version: class.PublishedVersion, Class: name, Learner: "ben",
		Current: &class.CurrentStep{Lesson: "pods", Step: "run", Goals: []class.Goal{{Name: "a pod runs", Passing: true}}}})
	clustertest.Eventually(t, 30*time.Second, "ben's step seen", func(context.Context) (bool, string) {
		r := got.get()
		b := r.Learners[1].Progress
		return b != nil && b.Current.Step == "run" && b.Current.Goals[0].Passing && r.Learners[0].Progress == nil, fmt.Sprintf("%+v", r)
	})

	// A learner added to the class later is watched too.
	newClass(t, name, []string{"ana", "ben", "cy"}, []string{"pods"}, "")
	clustertest.Eventually(t, 30*time.Second, "cy listed", func(context.Context) (bool, string) {
		r := got.get()
		return len(r.Learners) == 3 && r.Learners[2].Name == "cy", fmt.Sprintf("%+v", r)
	})
}

func TestWatchUnknownClassSaysHowToCreateIt(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	err := class.Watch(context.Background(), env.Client, "nosuchclass", func(class.Room) {})
	if err == nil || !errors.Is(err, class.ErrNoClass) {
		t.Fatalf("Watch of a missing class = %v, want ErrNoClass", err)
	}
}

func TestReadRoomReportsUnreadableProgress(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	name := className()
	newClass(t, name, []string{"ana", "ben"}, []string{"pods"}, "")
	publish(t, env.Client, name, "ana", &class.Published{Version: 1, Learner: "ana", Lessons: map[string]class.LessonProgress{"pods": {Done: []string{"run", "where"}}}})
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: class.ProgressConfigMap}, Data: map[string]string{class.ProgressKey: "{not json"}}
	if _, err := env.Client.CoreV1().ConfigMaps(class.HomeNamespace(name, "ben")).Update(context.Background(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := class.ReadRoom(context.Background(), env.Client, name)
	if err != nil {
		t.Fatal(err)
	}
	if r.Learners[0].Progress.StepsDone() != 2 || r.Learners[0].Problem != "" {
		t.Errorf("ana = %+v, want 2 steps done", r.Learners[0])
	}
	if r.Learners[1].Progress != nil || r.Learners[1].Problem == "" {
		t.Errorf("ben = %+v, want a problem reading the damaged progress", r.Learners[1])
	}
}
