package programs

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/inmem"
)

// box is one container of an image, run in-process.
type box struct {
	fs   *inmem.MemFS
	proc *sandbox.Proc
	run  *inmem.Running
}

func (b *box) stdout() *inmem.Buffer { return b.proc.Stdout.(*inmem.Buffer) }
func (b *box) stderr() *inmem.Buffer { return b.proc.Stderr.(*inmem.Buffer) }

// imageFS is a container's files: the image's, as root's.
func imageFS(t *testing.T, image string) *inmem.MemFS {
	t.Helper()
	m := inmem.NewMemFS()
	if err := m.AddFS("/", Files(image)); err != nil {
		t.Fatal(err)
	}
	img, _ := Lookup(image)
	for name, owner := range img.Owned {
		var uid, gid int
		if _, err := fmtSscanf(owner, &uid, &gid); err != nil {
			t.Fatal(err)
		}
		if err := m.Chown(name, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// runImage starts image's entrypoint and command (args replace the
// command) in the pod at ip of n, as uid; it stops when the test ends.
func runImage(t *testing.T, n *inmem.MemNet, ip, image string, fs *inmem.MemFS, uid int, args ...string) *box {
	t.Helper()
	return runImageWith(t, n, ip, image, fs, uid, inmem.NewMeter(0), args...)
}

// runImageWith is runImage with a meter (a memory limit).
func runImageWith(t *testing.T, n *inmem.MemNet, ip, image string, fs *inmem.MemFS, uid int, meter *inmem.Meter, args ...string) *box {
	t.Helper()
	img, ok := Lookup(image)
	if !ok {
		t.Fatalf("no image %s", image)
	}
	argv := append(append([]string{}, img.Entrypoint...), img.Cmd...)
	if len(args) > 0 {
		argv = append(append([]string{}, img.Entrypoint...), args...)
	}
	prog, ok := Program(image, argv[0])
	if !ok {
		t.Fatalf("%s has no program %s", image, argv[0])
	}
	p := inmem.NewProc(fs, n.Pod(ip), argv...)
	p.Env = append([]string{"HOSTNAME=web-1"}, img.Env...)
	p.Hostname = "web-1"
	p.UID, p.GID = uid, uid
	p.Usage = meter
	p.FS = fs.View(uid, uid, orDefault(img.WorkingDir, "/"))
	p.Dir = orDefault(img.WorkingDir, "/")
	p.Lookup = func(name string) (sandbox.Program, bool) { return Program(image, name) }
	b := &box{fs: fs, proc: p, run: inmem.Start(context.Background(), prog, p)}
	t.Cleanup(func() { b.run.Stop(10 * time.Second) })
	return b
}

// exec runs a command of image in the running container b, as kubectl exec.
func (b *box) exec(t *testing.T, image string, args ...string) (string, string, int) {
	t.Helper()
	prog, ok := Program(image, args[0])
	if !ok {
		t.Fatalf("%s has no program %s", image, args[0])
	}
	p := *b.proc
	p.Args = args
	out, errOut := &inmem.Buffer{}, &inmem.Buffer{}
	p.Stdout, p.Stderr, p.Stdin = out, errOut, strings.NewReader("")
	code := prog(context.Background(), &p)
	return out.String(), errOut.String(), code
}

func waitFor(t *testing.T, b *inmem.Buffer, substr string) {
	t.Helper()
	if !b.WaitFor(substr, 10*time.Second) {
		t.Fatalf("never said %q:\n%s", substr, b)
	}
}

func client(n *inmem.MemNet) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: n.Pod("10.244.9.9").Dial, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
