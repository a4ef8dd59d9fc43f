package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/metrics/scrape"
	"github.com/kubelab/kubelab/lab/workload"
)

// syncBuffer collects the app's log output safely.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the app in-process with e until the test ends; it returns its
// address and log.
func start(t *testing.T, e env) (string, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	e["KUBELAB_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, e, out) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(5 * time.Second)
	if c := e.contract(); !workload.Serves(c.Mode()) {
		// A sidecar serves no HTTP: it has started once it says what it does.
		for !strings.Contains(out.String(), workload.LogMode(c)) {
			if time.Now().After(deadline) {
				t.Fatalf("app did not start:\n%s", out)
			}
			time.Sleep(20 * time.Millisecond)
		}
		return addr, out
	}
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return addr, out
		}
		if time.Now().After(deadline) {
			t.Fatalf("app did not listen: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServerSaysVersionPodAndNodeAndCountsRequests(t *testing.T) {
	t.Parallel()
	addr, log := start(t, env{"KUBELAB_NODE": "kubelab-worker"})
	host, _ := os.Hostname()
	for range 3 {
		code, body := get(t, "http://"+addr+"/")
		if code != 200 || !strings.Contains(body, "kubelab-app dev pod="+host+" node=kubelab-worker") {
			t.Fatalf("GET / = %d %q", code, body)
		}
	}
	_, text := get(t, "http://"+addr+"/metrics")
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
	if !strings.Contains(log.String(), "GET / 200") {
		t.Errorf("no access log:\n%s", log)
	}
}

func TestReadinessFollowsTheContract(t *testing.T) {
	t.Parallel()
	addr, _ := start(t, env{workload.EnvReady: "false"})
	if code, body := get(t, "http://"+addr+"/readyz"); code != 503 || !strings.Contains(body, "KUBELAB_READY=false") {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code, _ := get(t, "http://"+addr+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d; a not-ready app is still alive", code)
	}
	ready, _ := start(t, env{})
	if code, _ := get(t, "http://"+ready+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d without KUBELAB_READY", code)
	}
}

func TestDataSurvivesInTheDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr, _ := start(t, env{"KUBELAB_DATA_DIR": dir})
	req, _ := http.NewRequest(http.MethodPut, "http://"+addr+"/data/note", strings.NewReader("hello volume"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %v %v", resp, err)
	}
	resp.Body.Close()
	if b, err := os.ReadFile(filepath.Join(dir, "note")); err != nil || string(b) != "hello volume" {
		t.Fatalf("file = %q %v", b, err)
	}
	// A second app on the same folder (a replacement pod) reads it back.
	other, _ := start(t, env{"KUBELAB_DATA_DIR": dir})
	if code, body := get(t, "http://"+other+"/data/note"); code != 200 || body != "hello volume" {
		t.Errorf("GET = %d %q", code, body)
	}
	if code, _ := get(t, "http://"+other+"/data/..%2Fetc"); code == 200 {
		t.Error("a name with a slash escaped the data dir")
	}
}

// The app is the one program in a lesson image: it links the standard
// library and kubelab's two contract packages, nothing else (its metrics are
// read back with the Prometheus parser in the tests, through lab/metrics/scrape).
func TestTheAppLinksOnlyTheStandardLibrary(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/kubelab/kubelab/cmd/kubelab-app": true,
		"github.com/kubelab/kubelab/lab/metrics":     true,
		"github.com/kubelab/kubelab/lab/workload":    true,
	}
	deps := strings.Fields(string(out))
	for _, d := range deps {
		if !allowed[d] {
			t.Errorf("the lesson app links %s", d)
		}
	}
	if len(deps) != len(allowed) {
		t.Errorf("deps = %v", deps)
	}
}

// Producers, a queue and workers, all real processes talking HTTP: the
// queue's metrics show what was produced and consumed.
func TestQueueWorkersAndProducer(t *testing.T) {
	t.Parallel()
	q, _ := start(t, env{workload.EnvMode: "queue"})
	start(t, env{workload.EnvMode: "producer", workload.EnvTarget: q, workload.EnvQueue: "orders", workload.EnvRate: "40"})
	w, _ := start(t, env{workload.EnvMode: "worker", workload.EnvTarget: q, workload.EnvQueue: "orders", workload.EnvRate: "10"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, text := get(t, "http://"+q+"/metrics")
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
	_, text := get(t, "http://"+w+"/metrics")
	if set, _ := scrape.Parse(strings.NewReader(text)); set != nil {
		if v, ok := set.Get(metrics.WorkerTasks, nil); !ok || v < 1 {
			t.Errorf("worker tasks = %v in\n%s", v, text)
		}
	}
}

func TestTailShipsTheSharedLog(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "access.log")
	addr, _ := start(t, env{"KUBELAB_LOG_FILE": file})
	_, shipper := start(t, env{workload.EnvMode: "tail", "KUBELAB_FILE": file})
	get(t, "http://"+addr+"/")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(shipper.String(), "shipped: GET / 200") {
		if time.Now().After(deadline) {
			t.Fatalf("the shipper never shipped the access log line:\n%s", shipper)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestProxyForwardsLocalhostToTheTarget(t *testing.T) {
	t.Parallel()
	backend, _ := start(t, env{"KUBELAB_NODE": "far-away"})
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	start(t, env{workload.EnvMode: "proxy", "KUBELAB_LISTEN": port, workload.EnvTarget: backend})
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://127.0.0.1:" + port + "/")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), "node=far-away") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("proxy did not forward: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBadModeIsAClearError(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), env{workload.EnvMode: "sever", "KUBELAB_ADDR": freeAddr(t)}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `KUBELAB_MODE="sever" is not a mode`) {
		t.Fatalf("err = %v", err)
	}
}

// The real binary: KUBELAB_CRASH_AFTER makes it exit with status 1, and the
// broken build exits at once with a reason.
func TestCrashContractInTheRealBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, v := range []string{"v1", "broken"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, v), "-ldflags", "-X main.version="+v, ".").CombinedOutput()
		if err != nil {
			t.Fatalf("build: %v\n%s", err, out)
		}
	}
	cmd := exec.Command(filepath.Join(dir, "v1"))
	cmd.Env = append(os.Environ(), workload.EnvCrashAfter+"=1s", "KUBELAB_ADDR="+freeAddr(t))
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || time.Since(began) < time.Second {
		t.Fatalf("crash-after: err %v after %v\n%s", err, time.Since(began), out)
	}
	if !strings.Contains(string(out), "exiting after 1s") {
		t.Errorf("output:\n%s", out)
	}
	cmd = exec.Command(filepath.Join(dir, "broken"))
	cmd.Env = append(os.Environ(), "KUBELAB_ADDR="+freeAddr(t))
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "fatal: load configuration") {
		t.Fatalf("broken: %v\n%s", err, out)
	}
}

func TestMemoryIsHeldAndABadAmountIsAClearError(t *testing.T) {
	t.Parallel()
	_, log := start(t, env{workload.EnvMemory: "16Mi"})
	if !strings.Contains(log.String(), "holding 16Mi of memory") {
		t.Errorf("log:\n%s", log)
	}
	err := run(context.Background(), env{workload.EnvMemory: "lots", "KUBELAB_ADDR": freeAddr(t)}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `KUBELAB_MEMORY="lots"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestJobModeSaysItsMessageAndFinishes(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	err := run(context.Background(), env{workload.EnvMode: "job", "KUBELAB_MESSAGE": "nightly report: 42 orders", "KUBELAB_ADDR": freeAddr(t)}, out)
	if err != nil || !strings.Contains(out.String(), "nightly report: 42 orders") {
		t.Fatalf("err %v, output:\n%s", err, out)
	}
}
