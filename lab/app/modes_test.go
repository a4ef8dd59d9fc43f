package app

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/sandbox/inmem"
	"github.com/kubelab/kubelab/lab/workload"
)

// KUBELAB_HANG_AFTER: the app answers, then hangs: every request, probes
// included, waits without an answer; stopped, it dies of the SIGTERM it no
// longer handles (143), saying nothing more.
func TestHangAfterStopsAnswering(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	c := start(t, n, spec{env: map[string]string{workload.EnvHangAfter: "1s"}})
	if code, _ := get(t, client(n), "http://10.244.1.5:8080/healthz"); code != http.StatusOK {
		t.Fatalf("before the hang /healthz = %d", code)
	}
	if !c.stdout().WaitFor(workload.LogHung, 5*time.Second) {
		t.Fatalf("the app never said it hung:\n%s", c.stdout())
	}
	quick := client(n)
	quick.Timeout = 300 * time.Millisecond
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		if resp, err := quick.Get("http://10.244.1.5:8080" + path); err == nil {
			resp.Body.Close()
			t.Errorf("hung, %s answered %d", path, resp.StatusCode)
		}
	}
	code, ok := c.run.Stop(5 * time.Second)
	if !ok || code != workload.HungExitCode {
		t.Fatalf("stopped while hung: exit %d (%v)", code, ok)
	}
	if strings.Contains(c.stdout().String(), "stopping") || !strings.HasSuffix(c.stdout().String(), workload.LogHung+"\n") {
		t.Errorf("a hung app said more:\n%s", c.stdout())
	}
}

// POST KillPath answers 202 and the app dies of SIGKILL (137) at once,
// hung or not; any other method is refused and the app lives on.
func TestKillAnswersThenDiesOfSIGKILL(t *testing.T) {
	t.Parallel()
	for _, hang := range []string{"", "1"} {
		n := inmem.NewMemNet()
		env := map[string]string{}
		if hang != "" {
			env[workload.EnvHangAfter] = hang
		}
		c := start(t, n, spec{env: env})
		hc := client(n)
		if hang != "" && !c.stdout().WaitFor(workload.LogHung, 5*time.Second) {
			t.Fatalf("never hung:\n%s", c.stdout())
		}
		if hang == "" {
			if code, _ := get(t, hc, "http://10.244.1.5:8080"+workload.KillPath); code != http.StatusMethodNotAllowed {
				t.Errorf("GET %s = %d, want 405", workload.KillPath, code)
			}
			if _, ok := c.run.Wait(200 * time.Millisecond); ok {
				t.Fatal("a GET killed the app")
			}
		}
		code, body := do(t, hc, http.MethodPost, "http://10.244.1.5:8080"+workload.KillPath, "")
		if code != http.StatusAccepted || !strings.Contains(body, "SIGKILL") {
			t.Fatalf("hang %q: POST %s = %d %q", hang, workload.KillPath, code, body)
		}
		exit, ok := c.run.Wait(5 * time.Second)
		if !ok || exit != workload.KilledExitCode {
			t.Fatalf("hang %q: after the kill: exit %d (%v)", hang, exit, ok)
		}
		if strings.Contains(c.stdout().String(), "stopping") || c.stderr().String() != "" {
			t.Errorf("a killed app said goodbye:\n%s%s", c.stdout(), c.stderr())
		}
		if _, err := hc.Get("http://10.244.1.5:8080/healthz"); err == nil {
			t.Error("a killed app still listens")
		}
	}
}

// Producers, a queue and workers, talking HTTP through the queue's
// Service: the queue's metrics show what was produced and consumed.
func TestQueueWorkersAndProducer(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	start(t, n, spec{pod: "queue-0", ip: "10.244.1.10", env: map[string]string{workload.EnvMode: workload.ModeQueue}})
	n.AddService("queue", 80, 8080, "10.244.1.10")
	start(t, n, spec{pod: "producer-0", ip: "10.244.1.11", env: map[string]string{workload.EnvMode: workload.ModeProducer, workload.EnvQueue: "orders", workload.EnvRate: "40"}})
	w := start(t, n, spec{pod: "worker-0", ip: "10.244.1.12", env: map[string]string{workload.EnvMode: workload.ModeWorker, workload.EnvQueue: "orders", workload.EnvRate: "10"}})
	hc := client(n)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, text := get(t, hc, "http://10.244.1.10:8080/metrics")
		set, err := scrape.Parse(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		produced, _ := set.Get(metrics.TasksProduced, map[string]string{"queue": "orders"})
		consumed, _ := set.Get(metrics.TasksConsumed, map[string]string{"queue": "orders"})
		length, _ := set.Get(metrics.QueueLength, map[string]string{"queue": "orders"})
		if produced >= 20 && consumed >= 3 && length == produced-consumed && length > consumed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue metrics never showed a growing queue:\n%s", text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, text := get(t, hc, "http://10.244.1.12:8080/metrics")
	set, _ := scrape.Parse(strings.NewReader(text))
	if v, ok := set.Get(metrics.WorkerTasks, nil); !ok || v < 1 {
		t.Errorf("worker tasks = %v in\n%s", v, text)
	}
	if !strings.Contains(w.stdout().String(), workload.LogMode(workload.Env(w.proc.Getenv))) {
		t.Errorf("worker log:\n%s", w.stdout())
	}
}

// A tail sidecar ships the access log the app writes to a shared volume.
func TestTailShipsTheSharedLog(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	volume := podFS(t, spec{pod: "web-1", ip: "10.244.1.5", ns: "shop"})
	file := "/var/log/app/access.log"
	if err := volume.MkdirAll("/var/log/app", 0o755); err != nil {
		t.Fatal(err)
	}
	start(t, n, spec{fs: volume, env: map[string]string{workload.EnvLogFile: file}})
	shipper := start(t, n, spec{fs: volume, env: map[string]string{workload.EnvMode: workload.ModeTail}})
	get(t, client(n), "http://10.244.1.5:8080/")
	if !shipper.stdout().WaitFor("shipped: GET / 200", 5*time.Second) {
		t.Fatalf("the shipper never shipped the access log line:\n%s", shipper.stdout())
	}
}

// An ambassador forwards its pod's localhost port to the target; other
// pods cannot reach that port.
func TestProxyForwardsLocalhostToTheTarget(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	start(t, n, spec{pod: "cache-0", ip: "10.244.2.2", env: map[string]string{workload.EnvNode: "far-away"}})
	start(t, n, spec{pod: "web-1", ip: "10.244.1.5", env: map[string]string{workload.EnvMode: workload.ModeProxy, workload.EnvTarget: "10.244.2.2:8080"}})
	inPod := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: n.Pod("10.244.1.5").Dial, DisableKeepAlives: true}}
	code, body := get(t, inPod, "http://localhost:"+workload.DefaultListen+"/")
	if code != 200 || !strings.Contains(body, "pod=cache-0 node=far-away") {
		t.Fatalf("through the proxy: %d %q", code, body)
	}
	if _, err := client(n).Get("http://10.244.1.5:" + workload.DefaultListen + "/"); err == nil {
		t.Error("the proxy's loopback port answered another pod")
	}
}

// A load pod says every 10 s which pods behind its target's Service
// answered, or why none did. (It waits for one report: about 10 s.)
func TestLoadSaysWhichPodsAnswered(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	start(t, n, spec{pod: "web-1", ip: "10.244.1.5"})
	start(t, n, spec{pod: "web-2", ip: "10.244.2.5"})
	n.AddService("web", 80, 8080, "10.244.1.5", "10.244.2.5")
	load := start(t, n, spec{pod: "load-0", ip: "10.244.3.5", env: map[string]string{workload.EnvMode: workload.ModeLoad, workload.EnvRate: "10"}})
	lost := start(t, n, spec{pod: "load-1", ip: "10.244.3.6", env: map[string]string{workload.EnvMode: workload.ModeLoad, workload.EnvTarget: "wbe", workload.EnvRate: "5"}})
	if !load.stdout().WaitFor("last 10s:", 20*time.Second) {
		t.Fatalf("no report:\n%s", load.stdout())
	}
	report := load.stdout().Lines()[len(load.stdout().Lines())-1]
	if !strings.Contains(report, "answered by web-1 ") || !strings.Contains(report, ", web-2 ") || strings.Contains(report, "failed") {
		t.Errorf("report %q", report)
	}
	if !lost.stdout().WaitFor("failed: the name wbe does not resolve", 20*time.Second) {
		t.Errorf("a target that does not resolve:\n%s", lost.stdout())
	}
}
