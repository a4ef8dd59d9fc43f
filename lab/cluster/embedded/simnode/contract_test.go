package simnode

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/kubelab/kubelab/lab/cluster/nodes"
	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/workload"
)

// The simulated nodes must say what the real lesson app (cmd/kubelab-app)
// does: the same log lines for the same environment, the same listen
// address, the same metric names. The real program runs here, on
// loopback, for every mode.

var (
	appDir   string
	buildApp = sync.OnceValues(func() (string, error) {
		var err error
		if appDir, err = os.MkdirTemp("", "kubelab-app-contract"); err != nil {
			return "", err
		}
		return appDir, build(appDir)
	})
)

func TestMain(m *testing.M) {
	code := m.Run()
	if appDir != "" {
		_ = os.RemoveAll(appDir)
	}
	os.Exit(code)
}

func build(dir string) error {
	for _, tag := range []string{"v1", "broken"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, tag), "-ldflags", "-X main.version="+tag,
			"github.com/kubelab/kubelab/cmd/kubelab-app").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%w: %s", err, out)
		}
	}
	return nil
}

func appBinary(t *testing.T, tag string) string {
	t.Helper()
	dir, err := buildApp()
	if err != nil {
		t.Fatalf("build cmd/kubelab-app: %v", err)
	}
	return filepath.Join(dir, tag)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// realApp runs the real app with env (plus KUBELAB_NODE, as the downward
// API sets it) and returns its lines up to and including its listening
// line, its whole output if it exits by itself, and where it listens.
func realApp(t *testing.T, tag string, env map[string]string, until func(line string) bool) []string {
	t.Helper()
	bin := appBinary(t, tag) // built once, before the clock starts: a busy machine takes its time
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), workload.EnvNode + "=" + nodes.Worker}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); _ = w.Close() }()
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if until != nil && until(sc.Text()) {
			break
		}
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		go func() { _, _ = io.Copy(io.Discard, r) }()
	})
	return lines
}

// simPod is the pod the simulated node runs for env: named as the real
// app's host is, on a lab node, KUBELAB_NODE from the downward API.
func simPod(t *testing.T, image string, env map[string]string) *corev1.Pod {
	t.Helper()
	host, _ := os.Hostname()
	c := corev1.Container{Name: "app", Image: image, Env: []corev1.EnvVar{{Name: workload.EnvNode,
		ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}}}}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: env[k]})
	}
	p := running(host, image)
	p.Spec.Containers = []corev1.Container{c}
	p.Status.ContainerStatuses[0].Name = "app"
	p.Status.Phase = corev1.PodRunning
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
	return p
}

// where the machine running the test and the pod differ.
var placeRE = regexp.MustCompile(`\b(namespace|ip)=\S+`)

func normalise(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = placeRE.ReplaceAllString(l, "$1=*")
	}
	return out
}

func simLines(lines []logLine) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.text)
	}
	return out
}

func TestSimulatedLogsAreTheRealAppsLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		tag  string
		env  map[string]string
	}{
		{"server", "v1", map[string]string{}},
		{"server with every switch", "v1", map[string]string{workload.EnvReady: "false", workload.EnvCrashAfter: "1h", workload.EnvMemory: "1Mi", workload.EnvHangAfter: "1h"}},
		{"server with an unreadable hang", "v1", map[string]string{workload.EnvHangAfter: "soon"}},
		{"worker", "v1", map[string]string{workload.EnvMode: workload.ModeWorker, workload.EnvQueue: "orders", workload.EnvRate: "3"}},
		{"producer", "v1", map[string]string{workload.EnvMode: workload.ModeProducer}},
		{"queue", "v1", map[string]string{workload.EnvMode: workload.ModeQueue}},
		{"load", "v1", map[string]string{workload.EnvMode: workload.ModeLoad, workload.EnvTarget: "127.0.0.1:" + freePort(t)}},
		{"tail", "v1", map[string]string{workload.EnvMode: workload.ModeTail, workload.EnvFile: filepath.Join(dir, "access.log")}},
		{"proxy", "v1", map[string]string{workload.EnvMode: workload.ModeProxy, workload.EnvListen: freePort(t), workload.EnvTarget: "cache.example.com:6379"}},
		{"adapter", "v1", map[string]string{workload.EnvMode: workload.ModeAdapter}},
		{"db", "v1", map[string]string{workload.EnvMode: workload.ModeDB, workload.EnvDataDir: dir}},
		{"db without a data dir", "v1", map[string]string{workload.EnvMode: workload.ModeDB}},
		{"job", "v1", map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvMessage: "nightly report: 42 orders"}},
		{"job that works", "v1", map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvDuration: "1s"}},
		{"job with an unreadable duration", "v1", map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvDuration: "soon"}},
		{"not a mode", "v1", map[string]string{workload.EnvMode: "sever"}},
		{"broken", "broken", map[string]string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{workload.EnvAddr: "127.0.0.1:" + freePort(t)}
			for k, v := range c.env {
				env[k] = v
			}
			real := realApp(t, c.tag, env, started(env))
			p := simPod(t, workload.AppRepo+":"+c.tag, env)
			sim := simLines(runLines(p, &p.Spec.Containers[0], time.Now(), time.Time{}, 0))
			if _, err := contract(env).HangAfter(); c.tag == "broken" || err != nil || !workload.IsMode(c.env[workload.EnvMode]) && c.env[workload.EnvMode] != "" {
				sim = simLines(runLines(p, &p.Spec.Containers[0], time.Now().Add(-time.Second), time.Now(), 1))
			}
			if d, err := contract(env).JobDuration(); contract(env).Mode() == workload.ModeJob {
				// The whole run: the real app has exited.
				start := time.Now().Add(-d - time.Second)
				code := int32(0)
				if err != nil {
					code = 1
				}
				sim = simLines(runLines(p, &p.Spec.Containers[0], start, time.Now(), code))
			}
			if got, want := normalise(sim), normalise(real); !slices.Equal(got, want) {
				t.Errorf("the simulated node shows\n  %s\nthe real app prints\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			_, hangErr := contract(env).HangAfter() // an unreadable hang stops the app at once
			if mode := contract(env).Mode(); hangErr == nil && mode != workload.ModeJob && workload.IsMode(mode) && c.tag != "broken" {
				// The real app logs only what it is asked (and a load pod's
				// reports, simulated apart): a minute later, with no probe,
				// the simulation must show no more than it did at the start.
				later := simLines(runLines(p, &p.Spec.Containers[0], time.Now().Add(-time.Minute), time.Time{}, 0))
				if got, want := normalise(later), normalise(real); !slices.Equal(got, want) {
					t.Errorf("a minute on, with nothing calling it, the simulated node shows\n  %s\nthe real app printed\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			}
			if mode := contract(env).Mode(); hangErr == nil && workload.Serves(mode) && workload.IsMode(mode) && c.tag != "broken" {
				// It listens where it says it does.
				resp, err := http.Get("http://" + env[workload.EnvAddr] + "/healthz")
				if err != nil {
					t.Fatalf("the app said %q but does not answer there: %v", real[len(real)-1], err)
				}
				resp.Body.Close()
			}
		})
	}
}

// A container that crashes after KUBELAB_CRASH_AFTER ends its log as the
// real app does.
func TestSimulatedCrashEndsAsTheRealApp(t *testing.T) {
	t.Parallel()
	env := map[string]string{workload.EnvAddr: "127.0.0.1:" + freePort(t), workload.EnvCrashAfter: "1"}
	real := realApp(t, "v1", env, nil)
	p := simPod(t, workload.AppRepo+":v1", env)
	start := time.Now().Add(-time.Second)
	sim := simLines(runLines(p, &p.Spec.Containers[0], start, start.Add(time.Second), 1))
	if got, want := normalise(sim), normalise(real); !slices.Equal(got, want) {
		t.Errorf("the simulated node shows\n  %s\nthe real app prints\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A server that hangs (KUBELAB_HANG_AFTER) says so in the same words, and
// its log then stops, as the real app's does.
func TestSimulatedHangIsTheRealApps(t *testing.T) {
	t.Parallel()
	env := map[string]string{workload.EnvAddr: "127.0.0.1:" + freePort(t), workload.EnvHangAfter: "1"}
	real := realApp(t, "v1", env, func(line string) bool { return line == workload.LogHung })
	p := simPod(t, workload.AppRepo+":v1", env)
	start := time.Now().Add(-3 * time.Second)
	sim := simLines(runLines(p, &p.Spec.Containers[0], start, time.Time{}, 0))
	if got, want := normalise(sim), normalise(real); !slices.Equal(got, want) {
		t.Errorf("the simulated node shows\n  %s\nthe real app prints\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// The run a liveness probe ended reads the same as --previous.
	prev := simLines(runLines(p, &p.Spec.Containers[0], start, time.Now(), workload.HungExitCode))
	if got, want := normalise(prev), normalise(real); !slices.Equal(got, want) {
		t.Errorf("the killed run shows\n  %s\nthe real app printed\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Without KUBELAB_ADDR each mode listens on its own port (lab/workload.Port):
// checked where the port is free on this machine.
func TestDefaultPortsAreTheSimulations(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{workload.ModeServer, workload.ModeAdapter, workload.ModeDB} {
		port := strconv.Itoa(workload.Port(mode))
		ln, err := net.Listen("tcp", ":"+port)
		if err != nil {
			t.Logf("port %s is taken here: default of mode %s not checked", port, mode)
			continue
		}
		ln.Close()
		env := map[string]string{workload.EnvMode: mode, workload.EnvDataDir: t.TempDir()}
		real := realApp(t, "v1", env, started(env))
		p := simPod(t, workload.AppRepo+":v1", env)
		sim := simLines(runLines(p, &p.Spec.Containers[0], time.Now(), time.Time{}, 0))
		if len(real) == 0 || len(sim) == 0 || real[len(real)-1] != sim[len(sim)-1] {
			t.Errorf("mode %s: real app %q, simulation %q", mode, real, sim)
			continue
		}
		resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err != nil {
			t.Errorf("mode %s says %q but does not answer on %s: %v", mode, real[len(real)-1], port, err)
			continue
		}
		resp.Body.Close()
	}
}

// The simulated /metrics of each mode has the real app's metric names; a
// queue's figures come from its pod on kind and from its producers and
// workers on the simulated nodes, so those three compare together.
func TestSimulatedMetricsHaveTheRealAppsNames(t *testing.T) {
	t.Parallel()
	queue := map[string]string{workload.EnvQueue: "orders"}
	groups := [][]map[string]string{
		{{}},
		{{workload.EnvMode: workload.ModeLoad, workload.EnvTarget: "127.0.0.1:" + freePort(t)}},
		{{workload.EnvMode: workload.ModeTail, workload.EnvFile: filepath.Join(t.TempDir(), "log")}},
		{{workload.EnvMode: workload.ModeProxy, workload.EnvListen: freePort(t)}},
		{{workload.EnvMode: workload.ModeAdapter}},
		{{workload.EnvMode: workload.ModeDB, workload.EnvDataDir: t.TempDir()}},
		{{workload.EnvMode: workload.ModeQueue}, with(queue, workload.EnvMode, workload.ModeProducer), with(queue, workload.EnvMode, workload.ModeWorker)},
	}
	for _, group := range groups {
		realNames, simNames := map[string]bool{}, map[string]bool{}
		indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
		var pods []*corev1.Pod
		for i, env := range group {
			env = with(env, workload.EnvAddr, "127.0.0.1:"+freePort(t))
			// The real queue pod is the one the producer and worker talk to.
			if env[workload.EnvMode] == workload.ModeProducer || env[workload.EnvMode] == workload.ModeWorker {
				env = with(env, workload.EnvTarget, group[0][workload.EnvAddr])
			}
			group[i] = env
			realApp(t, "v1", env, started(env))
			p := simPod(t, workload.AppRepo+":v1", env)
			p.Name += "-" + strconv.Itoa(i)
			pods = append(pods, p)
			if err := indexer.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, env := range group {
			if !workload.Serves(contract(env).Mode()) {
				continue // nothing to read: the simulation must serve nothing either
			}
			for deadline := time.Now().Add(5 * time.Second); ; {
				set := realMetrics(t, env[workload.EnvAddr])
				for _, m := range set {
					realNames[m.Name] = true
				}
				// A queue reports once a producer has put a task on it.
				if len(set) > 0 || env[workload.EnvMode] != workload.ModeQueue || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		sim := newAppSim(listerscorev1.NewPodLister(indexer), listerscorev1.NewServiceLister(cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})))
		sim.step(time.Now())
		for _, p := range pods {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/kubelab/metrics/"+p.Namespace+"/"+p.Name, nil)
			req.SetPathValue("ns", p.Namespace)
			req.SetPathValue("pod", p.Name)
			sim.exposition(rec, req)
			set, err := scrape.Parse(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range set {
				simNames[m.Name] = true
			}
		}
		if !mapsEqual(realNames, simNames) {
			t.Errorf("modes %v: the real app serves %v, the simulation %v", modesOf(group), keys(realNames), keys(simNames))
		}
	}
}

func realMetrics(t *testing.T, addr string) metrics.Set {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	set, err := scrape.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// started says whether line is the app's last start-up line for env.
func started(env map[string]string) func(line string) bool {
	return func(line string) bool {
		if workload.Serves(contract(env).Mode()) {
			return strings.HasPrefix(line, "listening on ")
		}
		return line == workload.LogMode(contract(env))
	}
}

func contract(env map[string]string) workload.Env { return func(k string) string { return env[k] } }

func with(env map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range env {
		if key != k {
			out[key] = val
		}
	}
	return out
}

func modesOf(group []map[string]string) []string {
	var out []string
	for _, env := range group {
		out = append(out, contract(env).Mode())
	}
	return out
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mapsEqual(a, b map[string]bool) bool { return slices.Equal(keys(a), keys(b)) }
