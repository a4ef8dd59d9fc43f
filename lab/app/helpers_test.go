package app

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/inmem"
	"github.com/kubelab/kubelab/lab/workload"
)

// container is one lesson app container run in-process for a test.
type container struct {
	proc *sandbox.Proc
	fs   *inmem.MemFS
	run  *inmem.Running
}

func (c *container) stdout() *inmem.Buffer { return c.proc.Stdout.(*inmem.Buffer) }
func (c *container) stderr() *inmem.Buffer { return c.proc.Stderr.(*inmem.Buffer) }
func (c *container) meter() *inmem.Meter   { return c.proc.Usage.(*inmem.Meter) }

// spec says what container to run.
type spec struct {
	pod     string // host name
	ip      string
	ns      string
	env     map[string]string
	version string
	fs      *inmem.MemFS // shared with another container (a volume); nil: its own
	limit   int64        // memory limit, bytes
	noWait  bool         // do not wait for it to start
}

// podFS is what the kubelet puts in a container: /etc/hosts with the
// pod's IP and name, and the service account's namespace.
func podFS(t *testing.T, s spec) *inmem.MemFS {
	t.Helper()
	fs := inmem.NewMemFS()
	hosts := "127.0.0.1\tlocalhost\n" + s.ip + "\t" + s.pod + "\n"
	if err := fs.WriteFile("/etc/hosts", []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile(serviceAccountNamespace, []byte(s.ns), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.MkdirAll("/data", 0o755); err != nil {
		t.Fatal(err)
	}
	return fs
}

// start runs the lesson app of s in n until the test ends, and waits until
// it serves (or, for a sidecar or job, says its mode).
func start(t *testing.T, n *inmem.MemNet, s spec) *container {
	t.Helper()
	if s.pod == "" {
		s.pod = "web-1"
	}
	if s.ip == "" {
		s.ip = "10.244.1.5"
	}
	if s.ns == "" {
		s.ns = "shop"
	}
	if s.version == "" {
		s.version = "v1"
	}
	if s.fs == nil {
		s.fs = podFS(t, s)
	}
	p := inmem.NewProc(s.fs, n.Pod(s.ip), "/usr/local/bin/kubelab-app")
	p.Hostname = s.pod
	p.Usage = inmem.NewMeter(s.limit)
	p.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", workload.EnvVersion + "=" + s.version}
	for k, v := range s.env {
		p.Env = append(p.Env, k+"="+v)
	}
	c := &container{proc: p, fs: s.fs, run: inmem.Start(context.Background(), Main, p)}
	t.Cleanup(func() {
		if _, ok := c.run.Stop(10 * time.Second); !ok {
			t.Errorf("%s did not stop within 10s of SIGTERM", s.pod)
		}
	})
	if s.noWait {
		return c
	}
	e := workload.Env(p.Getenv)
	want := workload.LogMode(e)
	if workload.Serves(e.Mode()) {
		want = "listening on "
	}
	if !c.stdout().WaitFor(want, 5*time.Second) {
		t.Fatalf("%s did not start:\n%s%s", s.pod, c.stdout(), c.stderr())
	}
	return c
}

// client is a pod that calls others over n.
func client(n *inmem.MemNet) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: n.Pod("10.244.9.9").Dial, DisableKeepAlives: true}}
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func do(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
