package app

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/inmem"
	"github.com/kubelab/kubelab/lab/workload"
)

// The program plays exactly the tools the image links (lab/workload).
func TestToolsAreTheOnesTheImageLinks(t *testing.T) {
	t.Parallel()
	if got := ToolNames(); !slices.Equal(got, workload.Tools) {
		t.Fatalf("the app plays %v; the image links %v", got, workload.Tools)
	}
}

// The tools, as kubectl exec runs them in a lesson pod: wget over the
// pod's network, cat, ls and touch in the container's files, as its user.
func TestToolsWorkInTheContainer(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	ln, err := n.Pod("10.244.2.2").Listen("tcp", ":8080")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	n.AddService("api", 80, 8080, "10.244.2.2")
	fs := podFS(t, spec{pod: "web-1", ip: "10.244.1.5", ns: "shop"})
	run := func(uid int, args ...string) (string, string, int) {
		prog, ok := Tool(args[0])
		if !ok {
			t.Fatalf("no tool %s", args[0])
		}
		p := inmem.NewProc(fs, n.Pod("10.244.1.5"), args...)
		p.FS = fs.View(uid, uid, "/data")
		p.Dir = "/data"
		code := prog(context.Background(), p)
		return p.Stdout.(*inmem.Buffer).String(), p.Stderr.(*inmem.Buffer).String(), code
	}
	if out, errOut, code := run(0, "wget", "-qO-", "http://api/x"); code != 0 || out != "hello from /x" {
		t.Errorf("wget -qO- through a Service: %q %q exit %d", out, errOut, code)
	}
	if out, _, code := run(0, "wget", "-q", "-O", "-", "10.244.2.2:8080/y"); code != 0 || out != "hello from /y" {
		t.Errorf("wget -q -O - IP:PORT/y: %q exit %d", out, code)
	}
	if _, errOut, code := run(0, "wget", "-qO-", "http://api/missing"); code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("wget of a missing page: %q exit %d, want 404 and exit 1", errOut, code)
	}
	if _, errOut, code := run(0, "wget", "-qO-", "http://nowhere/"); code != 1 || !strings.Contains(errOut, "no such host") {
		t.Errorf("wget of a name nobody has: %q exit %d", errOut, code)
	}
	if _, errOut, code := run(0, "touch", "hello"); code != 0 {
		t.Fatalf("touch: %q exit %d", errOut, code)
	}
	if out, _, code := run(0, "ls"); code != 0 || out != "hello\n" {
		t.Errorf("ls of the working directory: %q exit %d", out, code)
	}
	if err := fs.WriteFile("/data/hello", []byte("s3cr3t"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := run(0, "cat", "/data/hello"); code != 0 || out != "s3cr3t" {
		t.Errorf("cat: %q exit %d", out, code)
	}
	if _, errOut, code := run(0, "cat", "hello-none"); code != 1 || errOut != "cat: open hello-none: no such file or directory\n" {
		t.Errorf("cat of a missing file: %q exit %d", errOut, code)
	}
	if _, errOut, code := run(1000, "touch", "/data/other"); code != 1 || errOut != "touch: open /data/other: permission denied\n" {
		t.Errorf("touch as a user who may not write there: %q exit %d", errOut, code)
	}
}
