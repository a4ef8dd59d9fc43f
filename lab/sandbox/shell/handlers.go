package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/internal/interp"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// shell is one run of the shell program.
type shell struct {
	d   dialect
	p   *sandbox.Proc
	inv *invocation
	r   *interp.Runner // once made
}

// runner makes the interpreter: every command that is not a builtin or a
// function goes to the container's programs (Proc.Start), every file the
// shell touches goes through the container's file tree (Proc.FS), the
// environment is the process's, and nothing reaches the host.
func (s *shell) runner() (*interp.Runner, error) {
	p := s.p
	opts := []interp.RunnerOption{
		interp.Env(expand.ListEnviron(p.Env...)),
		interp.Dir(p.Dir),
		interp.StdIO(p.Stdin, p.Stdout, p.Stderr),
		interp.Language(s.d.lang),
		interp.WithIdentity(interp.Identity{UID: p.UID, GID: p.GID, PID: p.PID, PPID: p.PPID,
			Home: s.home, Bash: s.d.bash, Name: s.inv.file}),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return s.exec }),
		interp.OpenHandler(s.open),
		interp.StatHandler(s.stat),
		interp.ReadDirHandler2(s.readDir),
		interp.AccessHandler(s.access),
		interp.RealPathHandler(s.realPath),
		interp.SpawnHandler(s.spawn),
		interp.TrapHandler(s.trap),
		interp.Diagnostics(s.diag),
	}
	if len(s.inv.opts) > 0 || s.inv.params != nil {
		opts = append(opts, interp.Params(append(append(slices.Clone(s.inv.opts), "--"), s.inv.params...)...))
	}
	return interp.New(opts...)
}

// view is the container's file tree as the shell sees it now: its
// current directory and streams (for /dev/stdout and the like).
func (s *shell) view(ctx context.Context) sandbox.FS {
	hc := interp.HandlerCtx(ctx)
	if v, ok := s.p.FS.(*vfs.View); ok {
		return v.WithDir(hc.Dir).WithStdio(hc.Stdin, hc.Stdout, hc.Stderr)
	}
	return s.p.FS
}

func (s *shell) abs(ctx context.Context, name string) string {
	return s.p.FS.Abs(interp.HandlerCtx(ctx).Dir, name)
}

// exec runs a command through the container, as fork and execve.
func (s *shell) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	if s.p.Start == nil {
		return s.notFound(hc, args[0])
	}
	child := &sandbox.Proc{Args: args, Env: environ(hc.Env), Dir: hc.Dir, Stdout: hc.Stdout, Stderr: hc.Stderr}
	if hc.Stdin != nil {
		child.Stdin = hc.Stdin
	}
	if hc.Exec {
		child.PID = s.p.PID
	}
	status, err := s.p.Start(ctx, child)
	var ee *sandbox.ExecError
	switch {
	case err == nil && status == 0:
		return nil
	case err == nil:
		return interp.ExitStatus(status)
	case !errors.As(err, &ee):
		fmt.Fprintf(hc.Stderr, "%s%s: %v\n", s.prefix(hc.Pos), args[0], err)
		return interp.ExitStatus(126)
	case ee.Err == sandbox.ErrNotFound:
		return s.notFound(hc, args[0])
	case errors.Is(ee.Err, syscall.ENOEXEC):
		// No #! line: the shell runs the file as a script, as POSIX says.
		sh, lerr := s.p.LookPath(s.p.Args[0])
		if lerr != nil {
			sh = "/bin/sh"
		}
		child.Args = append([]string{sh, ee.Path}, args[1:]...)
		if status, err = s.p.Start(ctx, child); err == nil {
			if status != 0 {
				return interp.ExitStatus(status)
			}
			return nil
		}
	case errors.Is(ee.Err, syscall.EAGAIN):
		fmt.Fprintf(hc.Stderr, "%scan't fork: %s\n", s.prefix(hc.Pos), sandbox.Strerror(ee.Err))
		return interp.ExitStatus(2)
	}
	fmt.Fprintf(hc.Stderr, "%s%s: %s\n", s.prefix(hc.Pos), args[0], sandbox.Strerror(ee.Err))
	return interp.ExitStatus(126)
}

func (s *shell) notFound(hc interp.HandlerContext, name string) error {
	if s.d.bash {
		fmt.Fprintf(hc.Stderr, "%s%s: command not found\n", s.prefix(hc.Pos), name)
	} else {
		fmt.Fprintf(hc.Stderr, "%s%s: not found\n", s.prefix(hc.Pos), name)
	}
	return interp.ExitStatus(127)
}

// environ lists the exported variables, sorted.
func environ(env expand.Environ) []string {
	var out []string
	for name, vr := range env.Each {
		if vr.Exported && vr.IsSet() {
			out = append(out, name+"="+vr.String())
		}
	}
	slices.Sort(out)
	return out
}

// open opens a redirection's file. Its error prints as the shell's
// message: ash's "sh: can't create /x: nonexistent directory".
func (s *shell) open(ctx context.Context, name string, flag int, perm fs.FileMode) (io.ReadWriteCloser, error) {
	f, err := s.view(ctx).OpenFile(s.abs(ctx, name), flag, perm)
	if err == nil {
		return f, nil
	}
	pos := interp.HandlerCtx(ctx).Pos
	if s.d.bash {
		return nil, &fs.PathError{Op: strings.TrimSuffix(s.prefix(pos), " "), Path: name, Err: msgErr(sandbox.Strerror(err))}
	}
	text := sandbox.Strerror(err)
	create := flag&os.O_CREATE != 0
	if errors.Is(err, fs.ErrNotExist) {
		text = "no such file"
		if create {
			text = "nonexistent directory"
		}
	}
	op := "can't open"
	if create {
		op = "can't create"
	}
	return nil, &fs.PathError{Op: s.prefix(pos) + op, Path: name, Err: msgErr(text)}
}

// msgErr is an error that prints as its text.
type msgErr string

func (m msgErr) Error() string { return string(m) }

func (s *shell) stat(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	if follow {
		return s.view(ctx).Stat(s.abs(ctx, name))
	}
	return s.view(ctx).Lstat(s.abs(ctx, name))
}

func (s *shell) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	return s.view(ctx).ReadDir(s.abs(ctx, name))
}

func (s *shell) access(ctx context.Context, name string, mode interp.AccessMode) error {
	if v, ok := s.view(ctx).(*vfs.View); ok {
		return v.Access(s.abs(ctx, name), int(mode))
	}
	_, err := s.p.FS.Stat(s.abs(ctx, name))
	return err
}

func (s *shell) realPath(ctx context.Context, name string) (string, error) {
	if v, ok := s.view(ctx).(*vfs.View); ok {
		return v.RealPath(name)
	}
	return name, nil
}

// spawn counts a subshell as a process of the container.
func (s *shell) spawn(ctx context.Context) (context.Context, int, func(), error) {
	if s.p.Fork == nil {
		return ctx, 0, func() {}, nil
	}
	child, pid, done, err := s.p.Fork(ctx, s.p.Args)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%scan't fork: %s", s.prefix(interp.HandlerCtx(ctx).Pos), sandbox.Strerror(err))
	}
	return child, pid, done, nil
}

// trap tells the container which signals the script catches.
func (s *shell) trap(sig string, action interp.TrapAction) {
	_, num, ok := interp.SignalName(sig)
	if !ok || s.p.Handle == nil {
		return
	}
	switch action {
	case interp.TrapCatch:
		s.p.Handle(num, sandbox.SigCatch, func(syscall.Signal) { s.r.Signal(sig) })
	case interp.TrapIgnore:
		s.p.Handle(num, sandbox.SigIgnore, nil)
	default:
		s.p.Handle(num, sandbox.SigDefault, nil)
	}
}

// diag words cd's failure, and an expansion's, as the shell does.
func (s *shell) diag(pos syntax.Pos, cmd, arg string, err error) (string, uint8) {
	if cmd == "" {
		code := uint8(1)
		if !s.d.bash {
			code = 2
		}
		return fmt.Sprintf("%s%v\n", s.prefix(pos), err), code
	}
	if s.d.bash {
		return fmt.Sprintf("%s%s: %s\n", s.builtinPrefix(pos, cmd), arg, sandbox.Strerror(err)), 1
	}
	return fmt.Sprintf("%scan't cd to %s: %s\n", s.builtinPrefix(pos, cmd), arg, sandbox.Strerror(err)), 2
}

// home reads a user's home directory from the container's /etc/passwd.
func (s *shell) home(user string) (string, bool) {
	f, err := s.p.FS.Open("/etc/passwd")
	if err != nil {
		return "", false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Split(line, ":")
		if len(fields) >= 6 && fields[0] == user {
			return fields[5], true
		}
	}
	return "", false
}
