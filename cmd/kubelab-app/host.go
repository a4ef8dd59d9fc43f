package main

import (
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// hostProc is this process as a sandbox.Proc: inside a container on a
// real node, its files, network and host name are the container's.
func hostProc() *sandbox.Proc {
	dir, err := os.Getwd()
	if err != nil {
		dir = "/"
	}
	host, _ := os.Hostname()
	return &sandbox.Proc{
		Args: os.Args, Env: os.Environ(), Dir: dir,
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		FS: osFS{}, Net: osNet{}, Hostname: host,
		UID: os.Getuid(), GID: os.Getgid(),
		Usage: &osUsage{},
	}
}

// osFS is the process's own file tree.
type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }
func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (sandbox.File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) Mkdir(name string, perm fs.FileMode) error    { return os.Mkdir(name, perm) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) RemoveAll(name string) error                  { return os.RemoveAll(name) }
func (osFS) Rename(oldname, newname string) error         { return os.Rename(oldname, newname) }
func (osFS) Symlink(target, name string) error            { return os.Symlink(target, name) }
func (osFS) Readlink(name string) (string, error)         { return os.Readlink(name) }
func (osFS) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(name, atime, mtime)
}

func (osFS) Abs(dir, name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(dir, name)
}

// osNet is the process's network (the pod's, in a container).
type osNet struct{}

func (osNet) Listen(network, address string) (net.Listener, error) {
	return net.Listen(network, address)
}

func (osNet) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

func (osNet) LookupHost(ctx context.Context, host string) ([]string, error) {
	return net.DefaultResolver.LookupHost(ctx, host)
}

// osUsage makes what the app says it uses real: memory is allocated and
// touched (the kernel counts it against the container's limit and kills
// the process over it: Grow never returns ErrOOM here), CPU is spent.
type osUsage struct {
	mu   sync.Mutex
	held [][]byte
}

func (u *osUsage) Grow(n int64) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if n < 0 {
		for n < 0 && len(u.held) > 0 {
			last := u.held[len(u.held)-1]
			u.held = u.held[:len(u.held)-1]
			n += int64(len(last))
		}
		return nil
	}
	b := make([]byte, n)
	for i := int64(0); i < n; i += 4096 {
		b[i] = 1
	}
	u.held = append(u.held, b)
	return nil
}

// CPU works until this thread has spent d more of CPU time, so that the
// kernel (and metrics-server) count the CPU the app says a request costs
// even on a busy machine; where the thread's time cannot be read, it
// works for d of wall time.
func (u *osUsage) CPU(d time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, ok := threadCPU()
	end := time.Now().Add(d)
	x := uint64(1)
	for {
		for range 5000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if ok {
			if now, _ := threadCPU(); now-start >= d {
				break
			}
		} else if !time.Now().Before(end) {
			break
		}
	}
	sink.Store(x)
}

// threadCPU is the CPU time the calling thread has spent (Linux).
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD on Linux
	var ru syscall.Rusage
	if runtime.GOOS != "linux" || syscall.Getrusage(rusageThread, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// sink keeps the work from being optimised away.
var sink atomic.Uint64
