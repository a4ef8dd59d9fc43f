package app

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/sandbox/inmem"
	"github.com/kubelab/kubelab/lab/workload"
)

// The server says its version, pod and node, counts its requests, spends
// the CPU the contract says each answer costs, and logs as on kind.
func TestServerSaysVersionPodAndNode(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	c := start(t, n, spec{pod: "web-1", ip: "10.244.1.5", ns: "shop", version: "v2", env: map[string]string{workload.EnvNode: "kubelab-worker"}})
	hc := client(n)
	for range 3 {
		code, body := get(t, hc, "http://10.244.1.5:8080/")
		if code != 200 || body != "kubelab-app v2 pod=web-1 node=kubelab-worker\n" {
			t.Fatalf("GET / = %d %q", code, body)
		}
	}
	_, text := get(t, hc, "http://10.244.1.5:8080/metrics")
	set, err := scrape.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := set.Get(metrics.Requests, nil); !ok || v != 3 {
		t.Errorf("requests = %v (%v) in\n%s", v, ok, text)
	}
	if v, ok := set.Get(metrics.Latency, map[string]string{"quantile": "0.95"}); !ok || v <= 0 {
		t.Errorf("p95 = %v (%v)", v, ok)
	}
	if got, want := c.meter().CPUTime(), 3*workload.RequestCPU(workload.DefaultCapacity); got != want {
		t.Errorf("3 answers spent %v of CPU, want %v", got, want)
	}
	lines := c.stdout().Lines()
	want := []string{
		"kubelab-app v2 starting",
		"pod=web-1 namespace=shop node=kubelab-worker ip=10.244.1.5 mode=server",
		workload.LogListening(":8080"),
	}
	if len(lines) < 6 || strings.Join(lines[:3], "\n") != strings.Join(want, "\n") || !strings.HasPrefix(lines[3], "GET / 200 (") {
		t.Errorf("log:\n%s", c.stdout())
	}
	if code, ok := c.run.Stop(5 * time.Second); !ok || code != 0 || !strings.HasSuffix(c.stdout().String(), "stopping\n") {
		t.Errorf("SIGTERM: exit %d (%v), log:\n%s", code, ok, c.stdout())
	}
}

func TestReadinessFollowsTheContract(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	c := start(t, n, spec{env: map[string]string{workload.EnvReady: "false"}})
	hc := client(n)
	if code, body := get(t, hc, "http://10.244.1.5:8080/readyz"); code != 503 || !strings.Contains(body, "KUBELAB_READY=false") {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code, _ := get(t, hc, "http://10.244.1.5:8080/healthz"); code != 200 {
		t.Errorf("/healthz = %d; a not-ready app is still alive", code)
	}
	if !strings.Contains(c.stdout().String(), workload.LogNotReady) {
		t.Errorf("log:\n%s", c.stdout())
	}
	start(t, n, spec{ip: "10.244.1.6"})
	if code, _ := get(t, hc, "http://10.244.1.6:8080/readyz"); code != 200 {
		t.Errorf("/readyz = %d without KUBELAB_READY", code)
	}
}

func TestCrashAfterExitsWithStatus1(t *testing.T) {
	t.Parallel()
	c := start(t, inmem.NewMemNet(), spec{env: map[string]string{workload.EnvCrashAfter: "1"}})
	code, ok := c.run.Wait(10 * time.Second)
	if !ok || code != 1 {
		t.Fatalf("exit %d (%v)", code, ok)
	}
	want := workload.LogFatal(workload.CrashReason(time.Second)) + "\n" + workload.LogExit + "\n"
	if c.stderr().String() != want {
		t.Errorf("stderr %q, want %q", c.stderr(), want)
	}
}

func TestBrokenTagAndBadSettingsExitWithAReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		version string
		env     map[string]string
		want    string
	}{
		{"broken tag", "broken", nil, workload.BrokenReason},
		{"not a mode", "v1", map[string]string{workload.EnvMode: "sever"}, `KUBELAB_MODE="sever" is not a mode`},
		{"bad memory", "v1", map[string]string{workload.EnvMemory: "lots"}, `KUBELAB_MEMORY="lots"`},
		{"bad hang", "v1", map[string]string{workload.EnvHangAfter: "soon"}, `KUBELAB_HANG_AFTER="soon"`},
		{"bad job duration", "v1", map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvDuration: "soon"}, `KUBELAB_DURATION="soon"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := start(t, inmem.NewMemNet(), spec{version: tc.version, env: tc.env, noWait: true})
			code, ok := c.run.Wait(5 * time.Second)
			if !ok || code != 1 || !strings.Contains(c.stderr().String(), tc.want) || !strings.HasSuffix(c.stderr().String(), workload.LogExit+"\n") {
				t.Errorf("exit %d (%v), stderr:\n%s", code, ok, c.stderr())
			}
		})
	}
}

// Memory goes through the meter: held while the app runs, given back when
// it stops; over the container's limit the app dies at once as the
// kernel's OOM kill ends it (137, nothing more said).
func TestMemoryIsMeteredAndOverTheLimitIsAnOOMKill(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	c := start(t, n, spec{env: map[string]string{workload.EnvMemory: "16Mi"}, limit: 64 << 20})
	if got := c.meter().Held(); got != 16<<20 {
		t.Errorf("held %d bytes, want 16Mi", got)
	}
	if !strings.Contains(c.stdout().String(), workload.LogMemory("16Mi")) {
		t.Errorf("log:\n%s", c.stdout())
	}
	if code, ok := c.run.Stop(5 * time.Second); !ok || code != 0 || c.meter().Held() != 0 {
		t.Errorf("stopped: exit %d (%v), still holding %d bytes", code, ok, c.meter().Held())
	}
	over := start(t, n, spec{ip: "10.244.1.6", env: map[string]string{workload.EnvMemory: "300Mi"}, limit: 128 << 20, noWait: true})
	code, ok := over.run.Wait(5 * time.Second)
	if !ok || code != workload.KilledExitCode || !over.meter().OOMKilled() {
		t.Fatalf("over the limit: exit %d (%v), OOM %v", code, ok, over.meter().OOMKilled())
	}
	if over.stderr().String() != "" || !strings.HasSuffix(over.stdout().String(), workload.LogMemory("300Mi")+"\n") {
		t.Errorf("an OOM-killed app said more than a killed process can:\nstdout:\n%s\nstderr:\n%s", over.stdout(), over.stderr())
	}
}

// Two containers of one pod on one port: the second fails as on a node.
func TestAPortTakenInThePodFailsTheSecondApp(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	start(t, n, spec{})
	second := start(t, n, spec{noWait: true})
	code, ok := second.run.Wait(5 * time.Second)
	if !ok || code != 1 || !strings.Contains(second.stderr().String(), "fatal: listen tcp :8080: bind: address already in use") {
		t.Fatalf("exit %d (%v), stderr:\n%s", code, ok, second.stderr())
	}
}

func TestJobExitsZeroAfterItsDuration(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	c := start(t, n, spec{env: map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvDuration: "1s", workload.EnvMessage: "nightly report: 42 orders"}, noWait: true})
	if !c.stdout().WaitFor(workload.LogWorking(time.Second), 5*time.Second) {
		t.Fatalf("log:\n%s", c.stdout())
	}
	if strings.Contains(c.stdout().String(), "nightly report") {
		t.Fatal("the job said its message before its duration")
	}
	code, ok := c.run.Wait(10 * time.Second)
	if !ok || code != 0 || !strings.HasSuffix(c.stdout().String(), "nightly report: 42 orders\n") {
		t.Fatalf("exit %d (%v), log:\n%s", code, ok, c.stdout())
	}
	// A job serves nothing.
	if _, err := client(n).Get("http://10.244.1.5:8080/healthz"); err == nil {
		t.Error("a job answered HTTP")
	}
}

func TestDataSurvivesInTheVolume(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	s := spec{env: map[string]string{workload.EnvMode: workload.ModeDB}}
	s.fs = podFS(t, spec{pod: "db-0", ip: "10.244.1.5", ns: "shop"})
	db := start(t, n, s)
	hc := client(n)
	if code, _ := do(t, hc, http.MethodPut, "http://10.244.1.5:5432/data/note", "hello volume"); code != http.StatusCreated {
		t.Fatalf("PUT = %d", code)
	}
	if b, err := s.fs.ReadFile("/data/note"); err != nil || string(b) != "hello volume" {
		t.Fatalf("file = %q %v", b, err)
	}
	db.run.Stop(5 * time.Second)
	// A new container on the same volume reads it back.
	start(t, n, s)
	if code, body := get(t, hc, "http://10.244.1.5:5432/data/note"); code != 200 || body != "hello volume" {
		t.Errorf("GET = %d %q", code, body)
	}
	if code, _ := get(t, hc, "http://10.244.1.5:5432/data/..%2Fetc"); code == 200 {
		t.Error("a name with a slash escaped the data dir")
	}
	if !strings.Contains(db.stdout().String(), "stored /data/note (12 bytes)") {
		t.Errorf("log:\n%s", db.stdout())
	}
}

// The adapter and the db listen on their own ports, beside a server.
func TestSidecarModesListenOnTheirOwnPorts(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	start(t, n, spec{})
	start(t, n, spec{env: map[string]string{workload.EnvMode: workload.ModeAdapter}})
	start(t, n, spec{env: map[string]string{workload.EnvMode: workload.ModeDB}})
	hc := client(n)
	for _, port := range []int{workload.HTTPPort, workload.AdapterPort, workload.DBPort} {
		if code, _ := get(t, hc, "http://10.244.1.5:"+itoa(port)+"/healthz"); code != 200 {
			t.Errorf("port %d: /healthz = %d", port, code)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
