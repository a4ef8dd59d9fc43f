package sandbox

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"time"
)

// Program is one executable of a container image, implemented in Go by
// kubelab: a tool (sh, echo, ls, wget, ...), a server (nginx, httpd, redis)
// or the lesson app. It runs until it returns its exit status (0-255).
//
// Cancelling ctx is SIGTERM: a program that stops within the pod's grace
// period returns the status it chooses (143 for a program that dies of the
// signal, 0 for one that shuts down cleanly); one that does not is killed
// (SIGKILL, 137) by whoever runs it. Programs never touch the host: every
// file, socket and name goes through p.
type Program func(ctx context.Context, p *Proc) int

// Proc is what a running program sees of its container.
type Proc struct {
	// Args is argv; Args[0] is the name the program was started as.
	Args []string
	// Env is the process environment, KEY=VALUE: the container's only, never
	// the host's.
	Env []string
	// Dir is the working directory, an absolute path inside the container.
	Dir    string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// FS is the container's file tree: its image, a writable layer and its
	// volumes. Nothing outside it can be named.
	FS FS
	// Net is the pod's network namespace (shared by the pod's containers).
	Net Net
	// Hostname is the pod's host name.
	Hostname string
	// UID and GID are the user the process runs as.
	UID, GID int
	// Usage is where the program says what it uses (memory held, CPU
	// spent), for OOM kills and the Metrics API; never nil.
	Usage Usage
	// Start runs another program of the same container (a shell running a
	// command), as fork+exec would; nil where none may be started.
	Start func(ctx context.Context, child *Proc) int
	// Lookup finds a program by the name a command uses, as a PATH search
	// does ("ls", "/bin/ls"); ok is false where the container has none.
	Lookup func(name string) (prog Program, ok bool)
}

// Getenv returns the value of key in p.Env, "" when unset.
func (p *Proc) Getenv(key string) string {
	for i := len(p.Env) - 1; i >= 0; i-- {
		kv := p.Env[i]
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

// FS is a container's confined file tree. Names are slash paths, absolute or
// relative to the process's Dir; "..", symlinks and mounts resolve inside the
// container, never outside it. Errors are *fs.PathError with the name the
// program used, as a real kernel's are.
type FS interface {
	Open(name string) (fs.File, error)
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Mkdir(name string, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	Remove(name string) error
	RemoveAll(name string) error
	Rename(oldname, newname string) error
	Symlink(target, name string) error
	Readlink(name string) (string, error)
	Chtimes(name string, atime, mtime time.Time) error
	// Abs makes name absolute against dir and cleans it.
	Abs(dir, name string) string
}

// File is an open file of a container.
type File interface {
	fs.File
	io.Writer
	io.Seeker
	ReadDir(n int) ([]fs.DirEntry, error)
}

// Net is a pod's network namespace: its containers share its addresses and
// ports, and reach the cluster's Services and pods by IP and by DNS name.
type Net interface {
	// Listen on a TCP address of the pod (":8080", "127.0.0.1:6379",
	// "0.0.0.0:80"). A port another process of the pod holds fails with an
	// error whose text ends in "address already in use", as the kernel's.
	Listen(network, address string) (net.Listener, error)
	// Dial a pod, a Service or a name the cluster's DNS knows.
	Dial(ctx context.Context, network, address string) (net.Conn, error)
	// LookupHost resolves a name as the pod's resolv.conf would (search
	// path of its namespace), "" errors as "bad address".
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Usage is what a program says it uses.
type Usage interface {
	// Grow adds n bytes (negative: frees) to the memory the process holds.
	// It returns ErrOOM once the container is over its memory limit: the
	// container is then being OOM-killed and the program should return 137.
	Grow(n int64) error
	// CPU adds d of CPU time the process spent.
	CPU(d time.Duration)
}

// ErrOOM is what Usage.Grow returns once the container is over its memory
// limit.
var ErrOOM = errors.New("out of memory")
