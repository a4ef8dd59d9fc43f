package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"syscall"
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
	// command), as fork+execve(2) after a PATH search would: child.Args[0]
	// is the command, found with child.Env's PATH relative to child.Dir;
	// the child's streams are its own, the rest (FS, Net, user) the
	// caller's. It returns the exit status, or an *ExecError where nothing
	// could start (a shell's 127 and 126). A child whose PID is the
	// caller's replaces it, as exec does. nil where none may be started.
	Start func(ctx context.Context, child *Proc) (status int, err error)
	// Lookup finds a program by the name a command uses, as a PATH search
	// does ("ls", "/bin/ls"); ok is false where the container has none.
	Lookup func(name string) (prog Program, ok bool)
	// LookPath returns the path of the executable a command names, as a
	// PATH search with the process's Env and Dir finds it; an *ExecError
	// where there is none.
	LookPath func(name string) (string, error)

	// PID is the process's id in its container (1 for its main process);
	// PPID its parent's (0 for the main process and exec sessions).
	PID, PPID int
	// Fork records a process that runs inside the calling program (a
	// shell's subshell, a server's worker) with args for ps. It counts
	// toward the container's process limit (past it, Fork fails with
	// syscall.EAGAIN); its work runs with child, which ends with the
	// program rather than with ctx (a background process outlives the part
	// of a script that started it) and when the process is killed (then
	// context.Cause(child) has an ExitStatus() int method: 128+n); done
	// ends it. nil where not available.
	Fork func(ctx context.Context, args []string) (child context.Context, pid int, done func(), err error)
	// Handle sets what a signal does to the process, as sigaction(2):
	// SigDefault (SIGTERM cancels ctx; a signal that terminates cancels
	// ctx and makes the status 128+n; SIGCHLD, SIGWINCH, SIGURG do
	// nothing), SigIgnore, or SigCatch: handler is called with the signal
	// from the goroutine that sends it, before the sender's kill returns
	// (as a kernel makes a signal pending); it must not block: note it and
	// act in the program's own goroutine. SIGKILL cannot be changed: it
	// cancels ctx and makes the status 137. nil where no signal can reach
	// the process.
	Handle func(sig syscall.Signal, action SigAction, handler func(syscall.Signal))
	// Processes is the container's process table (ps, kill, top); nil
	// where the program may not see it.
	Processes Processes
}

// SigAction is what a signal does to a process.
type SigAction int

// The actions of Proc.Handle.
const (
	SigDefault SigAction = iota
	SigIgnore
	SigCatch
)

// Processes is a container's process table.
type Processes interface {
	// List returns the container's processes, by PID.
	List() []ProcessInfo
	// Signal sends sig to process pid as kill(2): errors are
	// syscall.ESRCH (no such process) and syscall.EINVAL.
	Signal(pid int, sig syscall.Signal) error
}

// ProcessInfo is a process of a container, as ps shows it.
type ProcessInfo struct {
	PID, PPID, UID, GID int
	Args                []string
	Dir                 string
	Start               time.Time
	// State is 'R' (running) or 'S' (sleeping), as ps shows it.
	State byte
	// RSS is the memory the process says it holds (Usage.Grow); CPU the
	// time it says it spent.
	RSS int64
	CPU time.Duration
}

// ExecError is why Start could not run a command, as execve(2) fails: Err
// is ErrNotFound (no such file: a shell's 127, a container's StartError),
// or a syscall.Errno: EACCES (not executable: 126), ENOEXEC (no #! line
// nor program: a shell runs it as a script), EAGAIN (process limit).
type ExecError struct {
	Name string // the command as given
	// Path is the file found, "" when none was.
	Path string
	Err  error
}

// ErrNotFound is what Start and LookPath fail with for a command that
// names no file.
var ErrNotFound = errors.New("executable file not found in $PATH")

// Error says it as containerd does: exec: "x": executable file not found
// in $PATH.
func (e *ExecError) Error() string {
	switch {
	case e.Err == ErrNotFound && !strings.Contains(e.Name, "/"):
		return fmt.Sprintf("exec: %q: %v", e.Name, e.Err)
	case e.Err == ErrNotFound:
		return fmt.Sprintf("exec: %q: stat %s: no such file or directory", e.Name, e.Name)
	}
	return fmt.Sprintf("exec: %q: %v", e.Name, e.Err)
}

func (e *ExecError) Unwrap() error { return e.Err }

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
