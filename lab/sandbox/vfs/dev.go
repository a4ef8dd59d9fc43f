package vfs

import (
	"crypto/rand"
	"io"
	"io/fs"
	"time"
)

// newDevFS makes a container's /dev: null, zero, full, random, urandom
// (made in the process, never the host's devices), tty (none attached),
// stdin/stdout/stderr and fd as links to /proc/self/fd, the
// termination-log a kubelet reads, and empty pts and mqueue.
func newDevFS() *memTree {
	t := newMemTree(&quota{limit: 1 << 20}, nextDev(), 0o755)
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		n := newNode(fs.ModeDevice|fs.ModeCharDevice|0o666, 0, 0)
		n.device = d
		t.root.kids[d] = n
	}
	for name, target := range map[string]string{
		"stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
		"fd": "/proc/self/fd", "core": "/proc/kcore",
	} {
		n := newNode(fs.ModeSymlink|0o777, 0, 0)
		n.target = target
		t.root.kids[name] = n
	}
	t.root.kids["pts"] = newNode(fs.ModeDir|0o755, 0, 0)
	t.root.kids["mqueue"] = newNode(fs.ModeDir|0o1777, 0, 0)
	t.root.kids["termination-log"] = newNode(0o666, 0, 0)
	t.special = openDevice
	return t
}

func openDevice(n *memNode, flag int, o *opener) (handle, error) {
	switch n.device {
	case "tty":
		return nil, errNoDevice
	}
	return &devHandle{name: n.device, n: n}, nil
}

// devHandle is an open device of /dev.
type devHandle struct {
	name string
	n    *memNode
}

func (d *devHandle) Read(b []byte) (int, error) {
	switch d.name {
	case "null":
		return 0, io.EOF
	case "random", "urandom":
		return rand.Read(b)
	}
	clear(b)
	return len(b), nil
}

func (d *devHandle) Write(b []byte) (int, error) {
	if d.name == "full" {
		return 0, errNoSpace
	}
	return len(b), nil
}

func (d *devHandle) Seek(int64, int) (int64, error) { return 0, nil }
func (d *devHandle) Close() error                   { return nil }
func (d *devHandle) readDir(int) ([]*info, error)   { return nil, errNotDir }

func (d *devHandle) stat() (*info, error) {
	return &info{name: d.name, mode: d.n.mode, mtime: time.Time{}, stat: statOf(d.n, 0)}, nil
}

// stdioHandle is a process's standard stream opened through /dev/stdout
// or /proc/self/fd/N.
type stdioHandle struct {
	name string
	r    io.Reader
	w    io.Writer
}

func (s *stdioHandle) Read(b []byte) (int, error) {
	if s.r == nil {
		return 0, errBadFD
	}
	return s.r.Read(b)
}

func (s *stdioHandle) Write(b []byte) (int, error) {
	if s.w == nil {
		return 0, errBadFD
	}
	return s.w.Write(b)
}

func (s *stdioHandle) Seek(int64, int) (int64, error) { return 0, errSpipe }
func (s *stdioHandle) Close() error                   { return nil }
func (s *stdioHandle) readDir(int) ([]*info, error)   { return nil, errNotDir }
func (s *stdioHandle) stat() (*info, error) {
	return &info{name: s.name, mode: fs.ModeNamedPipe | 0o600, mtime: time.Now()}, nil
}
