package container

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// DefaultMaxProcs is a container's process limit where Config gives none
// (a pod's pids limit): enough for any lesson, few enough that a fork bomb
// stays small.
const DefaultMaxProcs = 256

// process is an entry of the process table: a program started by path, or
// a Fork (a subshell) inside one.
type process struct {
	pid, ppid int
	uid, gid  int
	start     time.Time

	mu      sync.Mutex
	args    []string
	exe     string
	dir     string
	env     []string
	actions map[syscall.Signal]sigAction
	killed  syscall.Signal           // the signal that ends it, 0 while none
	cancel  func(sig syscall.Signal) // ends the process's context
	ctx     context.Context          // the program's context (what forks derive from)

	rss atomic.Int64
	cpu atomic.Int64
}

// table is a container's processes.
type table struct {
	mu    sync.Mutex
	procs map[int]*process
	next  int
	max   int
}

func newTable(max int) *table {
	if max <= 0 {
		max = DefaultMaxProcs
	}
	return &table{procs: map[int]*process{}, next: 1, max: max}
}

// errLimit is what starting a process past the limit fails with.
var errLimit = syscall.EAGAIN

// add makes a process entry with the next free pid.
func (t *table) add(p *process) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.procs) >= t.max {
		return errLimit
	}
	for t.procs[t.next] != nil || t.next == 0 {
		t.next++
	}
	p.pid = t.next
	t.next++
	if t.next > 4194304 {
		t.next = 2
	}
	t.procs[p.pid] = p
	return nil
}

func (t *table) remove(pid int) {
	t.mu.Lock()
	delete(t.procs, pid)
	t.mu.Unlock()
}

func (t *table) get(pid int) *process {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.procs[pid]
}

func (t *table) all() []*process {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*process, 0, len(t.procs))
	for _, p := range t.procs {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *process) int { return a.pid - b.pid })
	return out
}

// List implements sandbox.Processes.
func (t *table) List() []sandbox.ProcessInfo {
	var out []sandbox.ProcessInfo
	for _, p := range t.all() {
		p.mu.Lock()
		out = append(out, sandbox.ProcessInfo{
			PID: p.pid, PPID: p.ppid, UID: p.uid, GID: p.gid, Args: slices.Clone(p.args),
			Dir: p.dir, Start: p.start, State: 'S', RSS: p.rss.Load(), CPU: time.Duration(p.cpu.Load()),
		})
		p.mu.Unlock()
	}
	return out
}

// Signal implements sandbox.Processes.
func (t *table) Signal(pid int, sig syscall.Signal) error {
	p := t.get(pid)
	if p == nil {
		return syscall.ESRCH
	}
	return p.signal(sig)
}

// ignoredByDefault are the signals whose default action is to do nothing.
var ignoredByDefault = map[syscall.Signal]bool{
	syscall.SIGCHLD: true, syscall.SIGWINCH: true, syscall.SIGURG: true, syscall.SIGCONT: true,
}

// signal delivers sig to p as the kernel would.
func (p *process) signal(sig syscall.Signal) error {
	if sig == 0 {
		return nil // kill -0: does it exist?
	}
	if sig < 0 || sig > 64 {
		return syscall.EINVAL
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if sig == syscall.SIGKILL {
		p.killed = syscall.SIGKILL
		p.cancel(sig)
		return nil
	}
	if sig == syscall.SIGSTOP || sig == syscall.SIGTSTP || sig == syscall.SIGTTIN || sig == syscall.SIGTTOU {
		return syscall.EINVAL // stopping a process is not supported
	}
	switch a := p.actions[sig]; a.action {
	case sandbox.SigIgnore:
		return nil
	case sandbox.SigCatch:
		p.mu.Unlock()
		a.handler(sig)
		p.mu.Lock()
		return nil
	}
	switch {
	case ignoredByDefault[sig]:
	case sig == syscall.SIGTERM:
		p.cancel(sig) // the program says how it ends
	default:
		if p.killed == 0 {
			p.killed = sig
		}
		p.cancel(sig)
	}
	return nil
}

// sigAction is what a signal does to a process.
type sigAction struct {
	action  sandbox.SigAction
	handler func(syscall.Signal)
}

// handle implements Proc.Handle.
func (p *process) handle(sig syscall.Signal, action sandbox.SigAction, handler func(syscall.Signal)) {
	if sig == syscall.SIGKILL || sig == syscall.SIGSTOP {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if action == sandbox.SigDefault || action == sandbox.SigCatch && handler == nil {
		delete(p.actions, sig)
		return
	}
	p.actions[sig] = sigAction{action, handler}
}

// status is the exit status of p's program that returned code.
func (p *process) status(code int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed != 0 {
		return 128 + int(p.killed)
	}
	return code & 0xff
}

// usage is a process's share of the container's Usage.
type usage struct {
	p *process
	c sandbox.Usage
}

func (u usage) Grow(n int64) error {
	u.p.rss.Add(n)
	return u.c.Grow(n)
}

func (u usage) CPU(d time.Duration) {
	u.p.cpu.Add(int64(d))
	u.c.CPU(d)
}

type noUsage struct{}

func (noUsage) Grow(int64) error  { return nil }
func (noUsage) CPU(time.Duration) {}

// errNotRunning is what Exec fails with outside Run.
var errNotRunning = errors.New("container is not running")

// signalCause is why a forked process's context ended: the signal that
// killed it, whose status (128+n) the forking program reports.
type signalCause syscall.Signal

func (s signalCause) Error() string   { return "killed by signal " + syscall.Signal(s).String() }
func (s signalCause) ExitStatus() int { return 128 + int(s) }
