// kubelab's additions to the interpreter: what the upstream package took
// from the host process (its uid, pid, home directory, a PATH search with
// os.Stat, OS pipes, temporary FIFOs) now comes from the runner's options and
// handlers, and the shell gains what a container's shell needs (a per
// container process limit through SpawnHandler, trapped signals).

package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// errNoHandler is what an unset handler answers: an unset handler never
// falls back to the host's file system or programs.
var errNoHandler = errors.New("no handler set (kubelab)")

func noOpen(ctx context.Context, path string, flag int, perm fs.FileMode) (rwc readWriteCloser, err error) {
	return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
}

func noReadDir(ctx context.Context, path string) ([]fs.DirEntry, error) {
	return nil, &fs.PathError{Op: "readdir", Path: path, Err: fs.ErrNotExist}
}

func noStat(ctx context.Context, name string, followSymlinks bool) (fs.FileInfo, error) {
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func noAccess(ctx context.Context, path string, mode AccessMode) error {
	return &fs.PathError{Op: "access", Path: path, Err: fs.ErrNotExist}
}

func noExec(ctx context.Context, args []string) error {
	fmt.Fprintf(HandlerCtx(ctx).Stderr, "%s: not found\n", args[0])
	return ExitStatus(127)
}

// Identity is who the shell is in its container: the ids that $UID, $$,
// $PPID and `test -O` use, and the home directories ~name expands to.
type Identity struct {
	UID, GID  int
	PID, PPID int
	// Home returns the home directory of a user of the container, as its
	// /etc/passwd says; ~name stays as written where ok is false.
	Home func(user string) (dir string, ok bool)
	// Bash makes the runner set bash's UID, EUID and GID variables.
	Bash bool
	// Name is $0 where the runner runs no file (commands from stdin).
	Name string
}

// WithIdentity sets the shell's identity. Without it the shell is uid 0,
// pid 1.
func WithIdentity(id Identity) RunnerOption {
	return func(r *Runner) error {
		r.kl.id = id
		return nil
	}
}

// SpawnHandlerFunc is called before the runner starts a concurrent part of
// a script (a background command, the left side of a pipeline), as a shell
// forks: that part runs with child (cancelled when the forked process is
// killed) and $! is pid. done is called when it ends. An error refuses it:
// the statement fails with status 2 and the error's text on stderr, as a
// shell that cannot fork.
type SpawnHandlerFunc func(ctx context.Context) (child context.Context, pid int, done func(), err error)

// SpawnHandler sets the spawn handler.
func SpawnHandler(f SpawnHandlerFunc) RunnerOption {
	return func(r *Runner) error {
		r.kl.spawn = f
		return nil
	}
}

// TrapHandlerFunc is told when a script sets a trap on a signal (not EXIT
// or ERR): catch, ignore (trap ” SIG) or back to the default (trap - SIG).
// sig is the signal's name without SIG ("TERM").
type TrapHandlerFunc func(sig string, action TrapAction)

// TrapAction is what a trap makes a signal do.
type TrapAction int

// The actions of trap.
const (
	TrapDefault TrapAction = iota
	TrapIgnore
	TrapCatch
)

// TrapHandler sets the trap handler.
func TrapHandler(f TrapHandlerFunc) RunnerOption {
	return func(r *Runner) error {
		r.kl.trap = f
		return nil
	}
}

// RealPathHandlerFunc resolves the symbolic links of an absolute path, for
// `pwd -P`.
type RealPathHandlerFunc func(ctx context.Context, path string) (string, error)

// RealPathHandler sets the handler `pwd -P` uses; without one, -P is -L.
func RealPathHandler(f RealPathHandlerFunc) RunnerOption {
	return func(r *Runner) error {
		r.kl.realPath = f
		return nil
	}
}

// kubelab is the runner's state that upstream does not have.
type kubelab struct {
	id       Identity
	spawn    SpawnHandlerFunc
	trap     TrapHandlerFunc
	realPath RealPathHandlerFunc
	// sig is the main shell's; subshells have none (traps are reset in a
	// subshell).
	sig *signals
	// traps maps a signal name to its callback; "" ignores the signal.
	traps  map[string]string
	inExec bool
	lang   syntax.LangVariant
	diag   DiagFunc
	pos    syntax.Pos
}

// DiagFunc words a builtin's failure (cd's) as the shell being emulated
// does: the line to print and the status.
type DiagFunc func(pos syntax.Pos, cmd, arg string, err error) (text string, status uint8)

// Diagnostics sets how builtins word their failures.
func Diagnostics(f DiagFunc) RunnerOption {
	return func(r *Runner) error {
		r.kl.diag = f
		return nil
	}
}

// Language sets the language eval, source and traps parse (upstream:
// always bash); the zero value is bash.
func Language(lang syntax.LangVariant) RunnerOption {
	return func(r *Runner) error {
		r.kl.lang = lang
		return nil
	}
}

// parse parses shell source in the runner's language.
func (r *Runner) parse(src, name string) (*syntax.File, error) {
	return syntax.NewParser(syntax.Variant(r.kl.language())).Parse(strings.NewReader(src), name)
}

func (k kubelab) language() syntax.LangVariant {
	if k.lang == 0 {
		return syntax.LangBash
	}
	return k.lang
}

// shellQuote quotes s in single quotes, as trap prints callbacks.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (k kubelab) subshell() kubelab {
	k.sig = nil
	k.traps = nil
	k.inExec = false
	return k
}

// signals holds the signals that arrived and wait for their trap.
type signals struct {
	mu      sync.Mutex
	pending []string
	notify  chan struct{} // closed and replaced at each signal
}

// Signal records that sig ("TERM", "HUP", ...) arrived. Its trap runs
// before the next command, once the command in the foreground ends, as a
// shell does; a `wait` in progress returns at once with 128+n. Send only
// signals the script traps (the trap handler says which): the default
// action of the others is the caller's to apply. Signal is safe to call
// from another goroutine while Run runs; call EnableSignals first.
func (r *Runner) Signal(sig string) {
	s := r.kl.sig
	s.mu.Lock()
	s.pending = append(s.pending, sig)
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
}

func newSignals() *signals { return &signals{notify: make(chan struct{})} }

// waitChan is closed when a signal arrives.
func (s *signals) waitChan() <-chan struct{} {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) > 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	return s.notify
}

func (s *signals) take() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pending
	s.pending = nil
	return p
}

// runSignalTraps runs the traps of the signals that arrived; it reports
// whether one of them made the shell exit.
func (r *Runner) runSignalTraps(ctx context.Context) {
	if r.kl.sig == nil || r.handlingTrap {
		return
	}
	for _, sig := range r.kl.sig.take() {
		cb, ok := r.kl.traps[sig]
		if !ok || cb == "" {
			continue
		}
		r.runTrap(ctx, cb, sig)
		if r.exit.exiting {
			return
		}
	}
}

// runTrap runs a signal's trap: unlike EXIT and ERR traps, its exit makes
// the shell exit with the status it gives.
func (r *Runner) runTrap(ctx context.Context, callback, name string) {
	r.handlingTrap = true
	defer func() { r.handlingTrap = false }()
	file, err := r.parse(callback, name+" trap")
	if err != nil {
		r.errf("trap: %v\n", err)
		return
	}
	oldExit, oldLastExit := r.exit, r.lastExit
	r.lastExit = r.exit
	r.stmts(ctx, file.Stmts)
	if r.exit.exiting {
		return
	}
	r.exit, r.lastExit = oldExit, oldLastExit
}

// signalNumbers are the signals trap and kill know, by name.
var signalNumbers = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "QUIT": syscall.SIGQUIT,
	"ILL": syscall.SIGILL, "TRAP": syscall.SIGTRAP, "ABRT": syscall.SIGABRT,
	"BUS": syscall.SIGBUS, "FPE": syscall.SIGFPE, "KILL": syscall.SIGKILL,
	"USR1": syscall.SIGUSR1, "SEGV": syscall.SIGSEGV, "USR2": syscall.SIGUSR2,
	"PIPE": syscall.SIGPIPE, "ALRM": syscall.SIGALRM, "TERM": syscall.SIGTERM,
	"CHLD": syscall.SIGCHLD, "CONT": syscall.SIGCONT, "STOP": syscall.SIGSTOP,
	"TSTP": syscall.SIGTSTP, "TTIN": syscall.SIGTTIN, "TTOU": syscall.SIGTTOU,
	"URG": syscall.SIGURG, "WINCH": syscall.SIGWINCH,
}

// SignalName returns the name ("TERM") of a signal given as a name, SIGNAME
// or number, and its number; ok is false for none.
func SignalName(s string) (name string, num syscall.Signal, ok bool) {
	s = strings.TrimPrefix(strings.ToUpper(s), "SIG")
	if n, found := signalNumbers[s]; found {
		return s, n, true
	}
	for name, n := range signalNumbers {
		if fmt.Sprint(int(n)) == s {
			return name, n, true
		}
	}
	return "", 0, false
}

// setSignalTrap records trap's callback for a signal; it reports false for
// a name that is not a signal.
func (r *Runner) setSignalTrap(arg, callback string, reset bool) bool {
	name, num, ok := SignalName(arg)
	if !ok {
		return false
	}
	if num == syscall.SIGKILL || num == syscall.SIGSTOP {
		return true // cannot be caught; shells accept and ignore it
	}
	action := TrapCatch
	switch {
	case reset:
		action = TrapDefault
		delete(r.kl.traps, name)
	default:
		if r.kl.traps == nil {
			r.kl.traps = map[string]string{}
		}
		r.kl.traps[name] = callback
		if callback == "" {
			action = TrapIgnore
		}
	}
	if r.kl.trap != nil && r.kl.sig != nil {
		r.kl.trap(name, action)
	}
	return true
}

// Stdin is the runner's standard input, for a caller that reads commands
// from the same input between runs (an interactive shell).
func (r *Runner) Stdin() io.Reader {
	if r.stdin == nil {
		return strings.NewReader("")
	}
	return r.stdin
}

// EnableSignals makes r the main shell, whose traps catch signals sent
// with Signal. Call it once, before Run.
func (r *Runner) EnableSignals() {
	if r.kl.sig == nil {
		r.kl.sig = newSignals()
	}
}

// lookPath finds an executable as a PATH search does, through the runner's
// stat and access handlers (kubelab: upstream stats the host's files).
func (r *Runner) lookPath(ctx context.Context, file string, exec bool) (string, error) {
	check := func(path string) (string, error) {
		path = absPath(r.Dir, path)
		info, err := r.stat(ctx, path)
		if err != nil {
			return "", err
		}
		if info.IsDir() {
			return "", fmt.Errorf("is a directory")
		}
		if exec && r.access(ctx, path, AccessExec) != nil {
			return "", fmt.Errorf("permission denied")
		}
		return path, nil
	}
	if strings.Contains(file, "/") {
		return check(file)
	}
	for _, elem := range filepath.SplitList(r.envGet("PATH")) {
		if elem == "" {
			elem = "."
		}
		if path, err := check(filepath.Join(elem, file)); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%q: executable file not found in $PATH", file)
}

// unTestOwnOrGrp implements -O and -G against the shell's identity.
func (r *Runner) unTestOwnOrGrp(ctx context.Context, op syntax.UnTestOperator, x string) bool {
	info, err := r.stat(ctx, x)
	if err != nil {
		return false
	}
	uid, gid, ok := owner(info)
	if !ok {
		return false
	}
	if op == syntax.TsUsrOwn {
		return uid == r.kl.id.UID
	}
	return gid == r.kl.id.GID
}

// owner reads a file's owner from its Sys value: a *syscall.Stat_t or a
// value with an Owner method.
func owner(info fs.FileInfo) (uid, gid int, ok bool) {
	switch s := info.Sys().(type) {
	case interface{ Owner() (int, int) }:
		uid, gid = s.Owner()
		return uid, gid, true
	case *syscall.Stat_t:
		return int(s.Uid), int(s.Gid), true
	}
	return 0, 0, false
}

func getAtime(info fs.FileInfo) time.Time {
	if s, ok := info.Sys().(interface{ AccessTime() time.Time }); ok {
		return s.AccessTime()
	}
	return info.ModTime()
}

// homeEnv answers expand's "HOME name" lookups (~name) from the identity,
// never from the host's user database.
type homeEnv struct {
	expand.Environ
	home func(string) (string, bool)
}

func (e homeEnv) Get(name string) expand.Variable {
	if user, ok := strings.CutPrefix(name, "HOME "); ok {
		if e.home != nil {
			if dir, found := e.home(user); found {
				return expand.Variable{Set: true, Kind: expand.String, Str: dir}
			}
		}
		// Set, so that expand never asks os/user: ~name stays as written.
		return expand.Variable{Set: true, Kind: expand.String, Str: "~" + user}
	}
	return e.Environ.Get(name)
}

// spawned asks the spawn handler before a concurrent part of a script
// starts; on refusal it prints why.
func (r *Runner) spawned(ctx context.Context) (child context.Context, pid int, done func(), err error) {
	if r.kl.spawn == nil {
		return ctx, 0, func() {}, nil
	}
	child, pid, done, err = r.kl.spawn(r.handlerCtx(ctx, handlerKindCall, todoPos))
	if err != nil {
		r.errf("%v\n", err)
		return nil, 0, nil, err
	}
	// The child context carries no handler context of its own.
	return child, pid, done, nil
}

// waitSignal waits for done; a signal that arrives first stops the wait
// with 128+n, as `wait` does in a shell (ok is false). So does ctx.
func (r *Runner) waitSignal(ctx context.Context, done <-chan struct{}) (code uint8, ok bool) {
	select {
	case <-done:
		return 0, true
	case <-ctx.Done():
		return 143, false
	case <-r.kl.sig.waitChan():
		r.kl.sig.mu.Lock()
		defer r.kl.sig.mu.Unlock()
		if len(r.kl.sig.pending) > 0 {
			return uint8(128 + int(signalNumbers[r.kl.sig.pending[0]])), false
		}
		return 128, false
	}
}

// bgProc finds a background process by its pid (or upstream's gN).
func (r *Runner) bgProc(arg string) (bgProc, bool) {
	if n, ok := strings.CutPrefix(arg, "g"); ok {
		k := int(atoi(n))
		if k <= 0 || k > len(r.bgProcs) {
			return bgProc{}, false
		}
		return r.bgProcs[k-1], true
	}
	pid := int(atoi(arg))
	for _, bg := range r.bgProcs {
		if bg.pid == pid && pid > 0 {
			return bg, true
		}
	}
	return bgProc{}, false
}

// killedStatus is the status of a forked part of a script whose process
// was killed (its context ended, the shell's did not): 128+n, as the
// signal's cause says.
func killedStatus(parent, child context.Context, exit exitStatus) exitStatus {
	if child.Err() == nil || parent.Err() != nil {
		return exit
	}
	if c, ok := context.Cause(child).(interface{ ExitStatus() int }); ok {
		return exitStatus{code: uint8(c.ExitStatus())}
	}
	return exit
}
