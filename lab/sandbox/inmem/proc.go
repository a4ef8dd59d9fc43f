package inmem

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// Meter is a sandbox.Usage that counts: memory held against a limit (0:
// none) and CPU spent.
type Meter struct {
	mu    sync.Mutex
	limit int64
	held  int64
	cpu   time.Duration
	oom   bool
}

// NewMeter meters a container with a memory limit of limit bytes (0: no limit).
func NewMeter(limit int64) *Meter { return &Meter{limit: limit} }

// Grow adds n bytes; over the limit the container is OOM-killed (ErrOOM).
func (m *Meter) Grow(n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.held += n
	if m.limit > 0 && m.held > m.limit {
		m.oom = true
	}
	if m.oom {
		return sandbox.ErrOOM
	}
	return nil
}

// CPU adds d of CPU time.
func (m *Meter) CPU(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cpu += d
}

// Held is the memory held now, in bytes.
func (m *Meter) Held() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.held
}

// CPUTime is the CPU time spent so far.
func (m *Meter) CPUTime() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cpu
}

// OOMKilled reports whether the container went over its limit.
func (m *Meter) OOMKilled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.oom
}

// Buffer is an output stream that programs write from several goroutines
// and a test reads.
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

// Lines are the complete lines written so far.
func (b *Buffer) Lines() []string {
	s := b.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// WaitFor waits up to within for a line holding substr; it reports whether
// one came.
func (b *Buffer) WaitFor(substr string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for {
		if strings.Contains(b.String(), substr) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// NewProc is a process of a container with file tree fsys, in pod's
// network: root in "/", host name "pod", no environment, its output in
// two Buffers, a Meter without a limit. Tests change what they need.
func NewProc(fsys *MemFS, pod *PodNet, args ...string) *sandbox.Proc {
	return &sandbox.Proc{
		Args:     args,
		Dir:      "/",
		Stdin:    strings.NewReader(""),
		Stdout:   &Buffer{},
		Stderr:   &Buffer{},
		FS:       fsys.View(0, 0, "/"),
		Net:      pod,
		Hostname: "pod",
		Usage:    NewMeter(0),
	}
}

// Running is a program started by Start.
type Running struct {
	cancel context.CancelFunc
	done   chan struct{}
	code   int
}

// Start runs prog with p in the background until Stop or its end.
func Start(ctx context.Context, prog sandbox.Program, p *sandbox.Proc) *Running {
	ctx, cancel := context.WithCancel(ctx)
	r := &Running{cancel: cancel, done: make(chan struct{})}
	go func() {
		r.code = prog(ctx, p)
		cancel()
		close(r.done)
	}()
	return r
}

// Wait waits up to within for the program to end; ok is false if it did not.
func (r *Running) Wait(within time.Duration) (code int, ok bool) {
	select {
	case <-r.done:
		return r.code, true
	case <-time.After(within):
		return 0, false
	}
}

// Stop sends SIGTERM (cancels the program's context) and waits up to
// within for its exit status; ok is false if it did not stop.
func (r *Running) Stop(within time.Duration) (code int, ok bool) {
	r.cancel()
	return r.Wait(within)
}
