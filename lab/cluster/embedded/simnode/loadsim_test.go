package simnode

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kubelab/kubelab/lab/workload"
)

// loadWorld is a simulation over fixed pods and Services.
type loadWorld struct {
	pods, services cache.Indexer
	sim            *appSim
}

func newLoadWorld(t *testing.T, objs ...any) *loadWorld {
	t.Helper()
	w := &loadWorld{
		pods:     cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}),
		services: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}),
	}
	for _, o := range objs {
		var err error
		switch o := o.(type) {
		case *corev1.Pod:
			err = w.pods.Add(o)
		case *corev1.Service:
			err = w.services.Add(o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	w.sim = newAppSim(listerscorev1.NewPodLister(w.pods), listerscorev1.NewServiceLister(w.services))
	return w
}

// play steps the simulation once a second from start for d.
func (w *loadWorld) play(start time.Time, d time.Duration) {
	for at := start; !at.After(start.Add(d)); at = at.Add(time.Second) {
		w.sim.step(at)
	}
}

func servicePod(name, ns string, ready bool, labels map[string]string) *corev1.Pod {
	p := running(name, workload.AppRepo+":v1")
	p.Namespace, p.Labels = ns, labels
	p.Status.Phase = corev1.PodRunning
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
	return p
}

func loadPod(target, rate string, start time.Time) *corev1.Pod {
	p := servicePod("client", "lab", true, map[string]string{"app": "client"})
	p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: workload.EnvMode, Value: workload.ModeLoad},
		{Name: workload.EnvTarget, Value: target}, {Name: workload.EnvRate, Value: rate}}
	p.Status.ContainerStatuses[0].State.Running.StartedAt = metav1.NewTime(start)
	return p
}

func service(name, ns string, targetPort int, selector map[string]string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Spec: corev1.ServiceSpec{
		Selector: selector, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(int32(targetPort))}}}}
}

// A load pod's log says, every 10 s, which pods answered its requests, or
// why none did, as the cluster would route them.
func TestLoadReportsSayWhoAnswered(t *testing.T) {
	t.Parallel()
	web := map[string]string{"app": "web"}
	start := time.Now().Add(-time.Minute)
	pods := []any{servicePod("web-a", "lab", true, web), servicePod("web-b", "lab", true, web), servicePod("web-c", "lab", true, web),
		servicePod("web-d", "lab", false, web), servicePod("db-1", "data", true, map[string]string{"app": "db"})}
	cases := []struct {
		name, target string
		svc          *corev1.Service
		want         string
	}{
		{"three ready pods share it; the one not ready gets none", "web", service("web", "lab", 8080, web),
			"last 10s: answered by web-a 10, web-b 10, web-c 10"},
		{"a selector that matches no pod", "web", service("web", "lab", 8080, map[string]string{"app": "web-typo"}),
			"last 10s: 30 failed: no answer from web"},
		{"a target port nobody listens on", "web", service("web", "lab", 9090, web),
			"last 10s: 30 failed: no answer from web"},
		{"no Service of that name", "api", service("web", "lab", 8080, web),
			"last 10s: 30 failed: the name api does not resolve"},
		{"a Service of another namespace, by namespace", "db.data", service("db", "data", 8080, map[string]string{"app": "db"}),
			"last 10s: answered by db-1 30"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			client := loadPod(c.target, "3", start)
			w := newLoadWorld(t, append(slices.Clone(pods), client, c.svc)...)
			w.play(start, 10*time.Second)
			got := text(w.sim.loadLines(client, "c", time.Time{}))
			if got != c.want+"\n" {
				t.Errorf("the load pod's report is\n  %q\nwant\n  %q", got, c.want)
			}
		})
	}
}

var countRE = regexp.MustCompile(`\b\d+( failed|,|;|$)`)

func normaliseReport(line string) string {
	line = countRE.ReplaceAllString(line, "N$1")
	return regexp.MustCompile(`from \S+$`).ReplaceAllString(line, "from TARGET")
}

// The real load app reports as the simulation does: against the real
// server (which names its pod: this machine's host name), and against a
// port where nothing listens. The counts depend on timing and are not
// compared.
func TestLoadReportIsTheRealApps(t *testing.T) {
	t.Parallel()
	host, _ := os.Hostname()
	serverAddr := "127.0.0.1:" + freePort(t)
	realApp(t, "v1", map[string]string{workload.EnvAddr: serverAddr}, started(map[string]string{}))
	for _, c := range []struct {
		name, realTarget string
		svc              *corev1.Service
	}{
		{"answered", serverAddr, service("web", "lab", 8080, map[string]string{"app": "web"})},
		{"no answer", "127.0.0.1:" + freePort(t), service("web", "lab", 8080, map[string]string{"app": "nobody"})},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{workload.EnvMode: workload.ModeLoad, workload.EnvTarget: c.realTarget, workload.EnvRate: "5",
				workload.EnvAddr: "127.0.0.1:" + freePort(t)}
			lines := realApp(t, "v1", env, func(line string) bool { return strings.HasPrefix(line, "last ") })
			real := lines[len(lines)-1]
			start := time.Now().Add(-time.Minute)
			client := loadPod("web", "5", start)
			w := newLoadWorld(t, servicePod(host, "lab", true, map[string]string{"app": "web"}), client, c.svc)
			w.play(start, 10*time.Second)
			sim := w.sim.loadLines(client, "c", time.Time{})
			if len(sim) != 1 || normaliseReport(sim[0].text) != normaliseReport(real) {
				t.Errorf("the simulated load pod reports\n  %s\nthe real app\n  %s", text(sim), real)
			}
		})
	}
}
