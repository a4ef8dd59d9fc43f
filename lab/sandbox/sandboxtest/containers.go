package sandboxtest

import (
	"bytes"
	"context"
	"io/fs"
	"sync"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/container"
	"github.com/kubelab/kubelab/lab/sandbox/tools"
)

// Buffer is a bytes.Buffer safe for the concurrent writes of a
// container's processes.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Box is a busybox container for a test, with its log.
type Box struct {
	*container.Container
	Stdout, Stderr *Buffer
	Net            *Net
	Usage          *Usage
}

// NewBox makes a busybox container (Image, tools.Busybox in /bin) that
// edit may change the Config of.
func NewBox(t testing.TB, edit func(*container.Config)) *Box {
	t.Helper()
	b := &Box{Stdout: &Buffer{}, Stderr: &Buffer{}, Usage: &Usage{},
		Net: NewNet(map[string][]string{"kubernetes.default.svc.cluster.local": {"10.96.0.1"},
			"web.default.svc.cluster.local": {"10.96.0.20"}})}
	cfg := container.Config{
		Image:    []fs.FS{Image()},
		Programs: tools.Busybox().At("/bin"),
		Hostname: "box-7d4b9c",
		Files: map[string][]byte{
			"/etc/hosts":       container.EtcHosts("10.244.0.7", "box-7d4b9c"),
			"/etc/hostname":    []byte("box-7d4b9c\n"),
			"/etc/resolv.conf": container.ResolvConf("10.96.0.10", "default", "cluster.local"),
		},
		Env:    []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Net:    b.Net,
		Usage:  b.Usage,
		Stdout: b.Stdout,
		Stderr: b.Stderr,
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := container.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.Container = c
	return b
}

// Result is how a command ended.
type Result struct {
	Stdout, Stderr string
	Status         int
	Err            error
}

// Sh runs sh -c script as the main process of a new busybox container and
// waits for it (a minute at most: a test's bound, not an expectation).
func Sh(t testing.TB, script string, edit func(*container.Config)) Result {
	t.Helper()
	b := NewBox(t, edit)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, err := b.Run(ctx, []string{"sh", "-c", script})
	return Result{Stdout: b.Stdout.String(), Stderr: b.Stderr.String(), Status: status, Err: err}
}
