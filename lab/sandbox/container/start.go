package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// killGrace is how long a killed program may take to return before its
// status is 137 anyway (its goroutine is left to end on its own).
const killGrace = 2 * time.Second

// start runs child as a new process of the container, child of parent
// (nil: PPID 0), or in parent's place where child.PID is parent's.
func (c *Container) start(ctx context.Context, parent *process, child *sandbox.Proc, onStart func(*process)) (int, error) {
	if len(child.Args) == 0 {
		return 0, &sandbox.ExecError{Err: sandbox.ErrNotFound}
	}
	uid, gid := c.cfg.UID, c.cfg.GID
	if child.Dir == "" {
		child.Dir = "/"
	}
	cred := vfs.Cred{UID: uid, GID: gid, Groups: c.cfg.Groups, Umask: 0o022}
	exe, argv, prog, err := c.resolve(c.tree.View(0, cred, child.Dir, vfs.Stdio{}), child.Args, child.Env)
	if err != nil {
		return 0, err
	}
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	killed := make(chan struct{})
	var once sync.Once
	var p *process
	// ends is the process's cancel: a signal may come as soon as the
	// process is in the table.
	ends := func(syscall.Signal) {
		cancel()
		if p.killed == syscall.SIGKILL {
			once.Do(func() { close(killed) })
		}
	}
	if parent != nil && child.PID == parent.pid {
		p = parent
		p.mu.Lock()
		p.args, p.exe, p.dir, p.env = argv, exe, child.Dir, child.Env
		p.actions = map[syscall.Signal]sigAction{} // exec resets what is caught
		p.ctx, p.cancel = pctx, ends
		p.mu.Unlock()
	} else {
		p = &process{uid: uid, gid: gid, start: time.Now(), args: argv, exe: exe, dir: child.Dir, env: child.Env,
			actions: map[syscall.Signal]sigAction{}, ctx: pctx, cancel: ends}
		if parent != nil {
			p.ppid = parent.pid
		}
		if err := c.procs.add(p); err != nil {
			return 0, &sandbox.ExecError{Name: child.Args[0], Path: exe, Err: err}
		}
		defer c.procs.remove(p.pid)
	}
	stopLife := context.AfterFunc(c.life, func() { p.signal(syscall.SIGKILL) })
	defer stopLife()
	proc := c.proc(p, child, argv, cred)
	if d, ok := proc.Stdin.(interface{ SetReadDeadline(time.Time) error }); ok {
		// A read of a pipe (the shell's) stops when the process ends; the
		// pipe is fine again for the next reader once it has.
		fired := make(chan struct{})
		stop := context.AfterFunc(pctx, func() {
			d.SetReadDeadline(time.Now())
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
				d.SetReadDeadline(time.Time{})
			}
		}()
	}
	if onStart != nil {
		onStart(p)
	}
	done := make(chan int, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(proc.Stderr, "%s: internal error: %v\n", path.Base(argv[0]), r)
				done <- 139 // as a program that crashed
			}
		}()
		done <- prog(pctx, proc)
	}()
	select {
	case code := <-done:
		return p.status(code), nil
	case <-killed:
	}
	select {
	case code := <-done:
		return p.status(code), nil
	case <-time.After(killGrace):
		return 137, nil
	}
}

// proc is what the program of process p sees.
func (c *Container) proc(p *process, child *sandbox.Proc, argv []string, cred vfs.Cred) *sandbox.Proc {
	stdin, stdout, stderr := child.Stdin, child.Stdout, child.Stderr
	if stdin == nil {
		stdin = strings.NewReader("") // /dev/null
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	proc := &sandbox.Proc{
		Args: argv, Env: child.Env, Dir: child.Dir, Stdin: stdin, Stdout: stdout, Stderr: stderr,
		FS:  c.tree.View(p.pid, cred, child.Dir, vfs.Stdio{In: stdin, Out: stdout, Err: stderr}),
		Net: c.cfg.Net, Hostname: c.cfg.Hostname, UID: cred.UID, GID: cred.GID,
		Usage: usage{p: p, c: c.cfg.Usage}, PID: p.pid, PPID: p.ppid,
		Handle: p.handle, Processes: c.procs,
	}
	proc.Start = func(ctx context.Context, ch *sandbox.Proc) (int, error) { return c.start(ctx, p, ch, nil) }
	proc.LookPath = func(name string) (string, error) {
		exe, err := c.lookPath(c.tree.View(0, cred, proc.Dir, vfs.Stdio{}), name, proc.Env)
		return exe, err
	}
	proc.Lookup = func(name string) (sandbox.Program, bool) {
		_, _, prog, err := c.resolve(c.tree.View(0, cred, proc.Dir, vfs.Stdio{}), []string{name}, proc.Env)
		return prog, err == nil
	}
	proc.Fork = func(ctx context.Context, args []string) (context.Context, int, func(), error) {
		return c.fork(ctx, p, args)
	}
	return proc
}

// fork records a process that runs inside p's program: a signal that
// ends it cancels child. child derives from the program's context, not
// from the forking part's: a background process outlives the subshell that
// started it, as a real one does.
func (c *Container) fork(ctx context.Context, p *process, args []string) (context.Context, int, func(), error) {
	child, cancel := context.WithCancelCause(p.ctx)
	p.mu.Lock()
	f := &process{ppid: p.pid, uid: p.uid, gid: p.gid, start: time.Now(), args: args, exe: p.exe,
		dir: p.dir, env: p.env, actions: map[syscall.Signal]sigAction{},
		cancel: func(sig syscall.Signal) { cancel(signalCause(sig)) }}
	p.mu.Unlock()
	if err := c.procs.add(f); err != nil {
		cancel(nil)
		return nil, 0, nil, err
	}
	var once sync.Once
	return child, f.pid, func() { once.Do(func() { cancel(nil); c.procs.remove(f.pid) }) }, nil
}

// getenv reads key from env.
func getenv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}

// lookPath finds the file a command names, as execvp(3) does: the name
// itself where it has a slash, else the first executable file of PATH.
func (c *Container) lookPath(v *vfs.View, name string, env []string) (string, error) {
	if name == "" {
		return "", &sandbox.ExecError{Name: name, Err: sandbox.ErrNotFound}
	}
	var candidates []string
	if strings.Contains(name, "/") {
		candidates = []string{name}
	} else {
		dirs, ok := getenv(env, "PATH")
		if !ok {
			dirs = DefaultPath
		}
		for _, d := range strings.Split(dirs, ":") {
			if d == "" {
				d = "."
			}
			candidates = append(candidates, path.Join(d, name))
		}
	}
	denied := false
	for _, cand := range candidates {
		fi, err := v.Stat(cand)
		switch {
		case errors.Is(err, fs.ErrPermission):
			denied = true
			continue
		case err != nil:
			continue
		case fi.IsDir() || !fi.Mode().IsRegular():
			denied = true
			continue
		case v.Access(cand, 1) != nil:
			denied = true
			continue
		}
		return cand, nil
	}
	if denied {
		return "", &sandbox.ExecError{Name: name, Err: syscall.EACCES}
	}
	return "", &sandbox.ExecError{Name: name, Err: sandbox.ErrNotFound}
}

// resolve finds the program args names: through #! lines to their
// interpreter (argv then names the interpreter, its argument, the script),
// to a program of the container. exe is the program's real path.
func (c *Container) resolve(v *vfs.View, args []string, env []string) (exe string, argv []string, prog sandbox.Program, err error) {
	argv = append([]string(nil), args...)
	for depth := 0; ; depth++ {
		found, err := c.lookPath(v, argv[0], env)
		if err != nil {
			if depth > 0 {
				// A missing interpreter: what the kernel says of the script.
				var ee *sandbox.ExecError
				if errors.As(err, &ee) {
					ee.Name = args[0]
				}
			}
			return "", nil, nil, err
		}
		exe, err := v.RealPath(found)
		if err != nil {
			return "", nil, nil, &sandbox.ExecError{Name: args[0], Err: sandbox.ErrNotFound}
		}
		head := c.head(exe)
		if id, ok := programOf(head); ok {
			if prog, ok := c.programs[id]; ok {
				if depth == 0 {
					argv[0] = args[0]
				}
				return exe, argv, prog, nil
			}
		}
		line, ok := bytes.CutPrefix(head, []byte("#!"))
		if !ok || depth >= 4 {
			return "", nil, nil, &sandbox.ExecError{Name: args[0], Path: found, Err: syscall.ENOEXEC}
		}
		line, _, _ = bytes.Cut(line, []byte("\n"))
		fields := strings.Fields(string(line))
		if len(fields) == 0 {
			return "", nil, nil, &sandbox.ExecError{Name: args[0], Path: found, Err: syscall.ENOEXEC}
		}
		interp := []string{fields[0]}
		if len(fields) > 1 {
			interp = append(interp, strings.Join(fields[1:], " "))
		}
		if !strings.Contains(interp[0], "/") {
			interp[0] = "./" + interp[0] // the kernel does not search PATH
		}
		argv = append(append(interp, found), argv[1:]...)
	}
}

// head reads the start of an executable as the kernel does (whoever may
// execute a file may run it, whatever its read bits).
func (c *Container) head(exe string) []byte {
	f, err := c.tree.View(0, vfs.Cred{}, "/", vfs.Stdio{}).Open(exe)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, 256)
	n, _ := io.ReadFull(f, b)
	return b[:n]
}
