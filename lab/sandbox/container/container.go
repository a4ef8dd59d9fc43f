package container

import (
	"context"
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

// Config describes a container.
type Config struct {
	// Image is the image's file layers, top first (fstest.MapFS,
	// embed.FS...); see vfs.Config.Image for owners and symbolic links.
	Image []fs.FS
	// Programs maps the container's executable paths ("/bin/sh",
	// "/usr/sbin/nginx") to their programs. Each path holds an executable
	// file over the image's; a copy of it runs the same program, a symbolic
	// link to it runs it with the link's name as argv[0].
	Programs map[string]sandbox.Program
	// Mounts are the volumes, with their paths.
	Mounts []vfs.Mount
	// Files are files the kubelet writes for the container and mounts over
	// the image's, read-only: /etc/hosts, /etc/hostname, /etc/resolv.conf.
	Files map[string][]byte
	// ReadOnlyRoot is readOnlyRootFilesystem.
	ReadOnlyRoot bool
	// Env is the environment of the container's processes (the image's
	// and the pod's), KEY=VALUE. PATH, HOSTNAME and HOME are added where
	// missing, as a runtime does.
	Env []string
	// Dir is the working directory; "/" where empty.
	Dir string
	// Hostname is the pod's host name.
	Hostname string
	// UID, GID and Groups are the user processes run as.
	UID, GID int
	Groups   []int
	// Net is the pod's network; Usage where programs say what they use.
	Net   sandbox.Net
	Usage sandbox.Usage
	// Stdin, Stdout and Stderr are the main process's streams: Stdout and
	// Stderr are the container's log.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// MaxProcs bounds the processes (DefaultMaxProcs where 0).
	MaxProcs int
	// UpperLimit bounds the writable layer (vfs.DefaultUpperLimit where 0).
	UpperLimit int64
	// MemLimit (bytes) and CPULimit (cores) are the container's limits, as
	// /sys/fs/cgroup, free and top show them; 0 for none.
	MemLimit int64
	CPULimit float64
}

// DefaultPath is the PATH of a container whose image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Container is a container of the embedded cluster. Run runs its main
// process once; Exec runs others beside it. Safe for concurrent use.
type Container struct {
	cfg      Config
	tree     *vfs.Tree
	programs map[string]sandbox.Program
	procs    *table
	boot     time.Time

	mu    sync.Mutex
	state int // created, running, exited
	life  context.Context
	end   context.CancelFunc
}

// target is the process a caller's ctx sends SIGTERM to once it starts.
type target struct {
	mu   sync.Mutex
	p    *process
	term bool
}

func (t *target) set(p *process) {
	t.mu.Lock()
	t.p = p
	term := t.term
	t.mu.Unlock()
	if term {
		p.signal(syscall.SIGTERM)
	}
}

func (t *target) terminate() {
	t.mu.Lock()
	t.term = true
	p := t.p
	t.mu.Unlock()
	if p != nil {
		p.signal(syscall.SIGTERM)
	}
}

func (t *target) get() *process {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.p
}

const (
	created = iota
	running
	exited
)

// New makes a container: its file tree and process table. Nothing runs
// until Run.
func New(cfg Config) (*Container, error) {
	if cfg.Usage == nil {
		cfg.Usage = noUsage{}
	}
	if cfg.Dir == "" {
		cfg.Dir = "/"
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	c := &Container{cfg: cfg, programs: cfg.Programs, procs: newTable(cfg.MaxProcs), boot: time.Now()}
	stubs, err := stubLayer(cfg.Programs)
	if err != nil {
		return nil, fmt.Errorf("container programs: %w", err)
	}
	mounts := append([]vfs.Mount(nil), cfg.Mounts...)
	for p, data := range cfg.Files {
		vol, err := vfs.NewMemVolume(vfs.Name("/dev/vda1"))
		if err != nil {
			return nil, err
		}
		if err := vol.WriteFile(path.Base(p), data, 0o644); err != nil {
			return nil, fmt.Errorf("container file %s: %w", p, err)
		}
		mounts = append(mounts, vfs.Mount{Path: p, Volume: vol, SubPath: path.Base(p)})
	}
	c.tree, err = vfs.New(vfs.Config{
		Image: append([]fs.FS{stubs}, cfg.Image...), UpperLimit: cfg.UpperLimit,
		ReadOnlyRoot: cfg.ReadOnlyRoot, Mounts: mounts, Kernel: kernel{c},
	})
	if err != nil {
		return nil, fmt.Errorf("container file tree: %w", err)
	}
	c.cfg.Env = c.defaultEnv(cfg.Env)
	c.life, c.end = context.WithCancel(context.Background())
	return c, nil
}

// defaultEnv adds PATH, HOSTNAME and HOME where env lacks them.
func (c *Container) defaultEnv(env []string) []string {
	has := func(k string) bool {
		for _, kv := range env {
			if strings.HasPrefix(kv, k+"=") {
				return true
			}
		}
		return false
	}
	out := append([]string(nil), env...)
	if !has("PATH") {
		out = append([]string{"PATH=" + DefaultPath}, out...)
	}
	if !has("HOSTNAME") {
		out = append(out, "HOSTNAME="+c.cfg.Hostname)
	}
	if !has("HOME") {
		out = append(out, "HOME="+c.home(c.cfg.UID))
	}
	return out
}

// home reads uid's home directory from the container's /etc/passwd; "/"
// where it has none, as runc does.
func (c *Container) home(uid int) string {
	v := c.tree.View(0, vfs.Cred{}, "/", vfs.Stdio{})
	f, err := v.Open("/etc/passwd")
	if err != nil {
		return "/"
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Split(line, ":")
		if len(fields) >= 6 && fields[2] == fmt.Sprint(uid) {
			return fields[5]
		}
	}
	return "/"
}

// Tree is the container's file tree (what the kubelet reads back, such as
// /dev/termination-log, through a View).
func (c *Container) Tree() *vfs.Tree { return c.tree }

// ReadFile reads a file of the container as root (the kubelet reading
// /dev/termination-log, say).
func (c *Container) ReadFile(name string) ([]byte, error) {
	f, err := c.tree.View(0, vfs.Cred{}, "/", vfs.Stdio{}).Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 16<<20))
}

// Env is the environment the container's processes start with.
func (c *Container) Env() []string { return append([]string(nil), c.cfg.Env...) }

// Run runs the container's main process (PID 1) with argv (resolved from
// the image's entrypoint and cmd and the pod's command and args) until it
// ends, and returns its exit status. An executable that cannot start
// returns an *sandbox.ExecError: the kubelet's StartError, exit code 128.
// Cancelling ctx sends SIGTERM to the main process; Kill sends SIGKILL.
// When the main process ends, every other process of the container is
// killed. Run runs once.
func (c *Container) Run(ctx context.Context, argv []string) (int, error) {
	c.mu.Lock()
	if c.state != created {
		c.mu.Unlock()
		return 0, fmt.Errorf("container already started")
	}
	c.state = running
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.state = exited
		c.mu.Unlock()
		c.end() // SIGKILL to every process left
	}()
	if len(argv) == 0 {
		return 0, &sandbox.ExecError{Name: "", Err: sandbox.ErrNotFound}
	}
	tg := &target{}
	stop := context.AfterFunc(ctx, tg.terminate)
	defer stop()
	child := &sandbox.Proc{Args: argv, Env: c.cfg.Env, Dir: c.cfg.Dir,
		Stdin: c.cfg.Stdin, Stdout: c.cfg.Stdout, Stderr: c.cfg.Stderr}
	return c.start(context.WithoutCancel(ctx), nil, child, tg.set)
}

// Exec runs argv beside the main process, as kubectl exec and exec probes
// do (PPID 0), with its own streams. With tty (kubectl exec -t) the
// container is the terminal: it echoes what stdin types, hands over whole
// lines, turns ^C into SIGINT and ^D into end of file, and writes stdout
// and stderr together on stdout with "\r\n" line ends. It fails outside
// Run, and with an *sandbox.ExecError where argv cannot start (kubectl
// exec's 126/127: OCI runtime exec failed). Cancelling ctx sends SIGTERM,
// then SIGKILL if the process is still there after a grace of 2 s (a
// probe's timeout).
func (c *Container) Exec(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer, tty bool) (int, error) {
	c.mu.Lock()
	if c.state != running {
		c.mu.Unlock()
		return 0, errNotRunning
	}
	c.mu.Unlock()
	if len(argv) == 0 {
		return 0, &sandbox.ExecError{Err: sandbox.ErrNotFound}
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	env := c.cfg.Env
	tg := &target{}
	if tty {
		env = append(append([]string(nil), env...), "TERM=xterm")
		stdin, stdout = newTTY(c, stdin, stdout, tg.get)
		stderr = stdout
	}
	stop := context.AfterFunc(ctx, tg.terminate)
	defer stop()
	kill := context.AfterFunc(ctx, func() {
		time.AfterFunc(killGrace, func() {
			if p := tg.get(); p != nil {
				p.signal(syscall.SIGKILL)
			}
		})
	})
	defer kill()
	child := &sandbox.Proc{Args: argv, Env: env, Dir: c.cfg.Dir, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return c.start(context.WithoutCancel(ctx), nil, child, tg.set)
}

// Processes is the container's process table.
func (c *Container) Processes() sandbox.Processes { return c.procs }

// Signal sends sig to the process pid of the container (1 for the main
// process), as kill(2).
func (c *Container) Signal(pid int, sig syscall.Signal) error { return c.procs.Signal(pid, sig) }

// Kill sends SIGKILL to every process of the container: what a kubelet
// does once the grace period is over. Run then returns 137.
func (c *Container) Kill() {
	for _, p := range c.procs.all() {
		p.signal(syscall.SIGKILL)
	}
}

// kernel tells the tree's /proc and /sys about the container.
type kernel struct{ c *Container }

func (k kernel) Procs() []vfs.ProcInfo {
	var out []vfs.ProcInfo
	for _, p := range k.c.procs.all() {
		p.mu.Lock()
		out = append(out, vfs.ProcInfo{PID: p.pid, PPID: p.ppid, UID: p.uid, GID: p.gid,
			Args: append([]string(nil), p.args...), Env: append([]string(nil), p.env...), Dir: p.dir,
			Exe: p.exe, State: 'S', Start: p.start, RSS: p.rss.Load(), CPU: time.Duration(p.cpu.Load())})
		p.mu.Unlock()
	}
	return out
}

func (k kernel) Info() vfs.KernelInfo {
	total := k.c.cfg.MemLimit
	if total <= 0 {
		total = 4 << 30
	}
	var used int64
	for _, p := range k.c.procs.all() {
		used += p.rss.Load()
	}
	cpus := int(k.c.cfg.CPULimit + 0.999)
	return vfs.KernelInfo{Hostname: k.c.cfg.Hostname, Boot: k.c.boot, MemTotal: total, MemUsed: used,
		MemLimit: k.c.cfg.MemLimit, CPULimit: k.c.cfg.CPULimit, CPUs: max(1, cpus)}
}
