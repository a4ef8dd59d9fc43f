// Package embedded runs the embedded lab cluster: a real control plane with
// simulated nodes, in a process of its own (the kubelab-cluster program) that
// outlives the command that started it, as kind's node containers do.
//
// This package starts, watches and stops that process; it does not link the
// control plane itself (see package controlplane), so everything that
// imports it builds in seconds.
package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/cluster"
)

// DefaultPort is the API server's default port on 127.0.0.1.
const DefaultPort = 16443

// ClusterBinary is the program that runs the control plane.
const ClusterBinary = "kubelab-cluster"

// PhaseFDEnv names the environment variable that tells kubelab-cluster which
// file descriptor to report its phases on, one "phase NAME" or "error TEXT"
// line at a time.
const PhaseFDEnv = "KUBELAB_PHASE_FD"

// ExitWithEnv names the environment variable that ties kubelab-cluster to
// another process: set to a pid, the cluster stops (as on SIGTERM) once that
// process is gone. Tests set it to the test binary, so a test killed by a
// timeout or Ctrl-C leaves no cluster running; kubelab does not, since its
// cluster outlives it on purpose.
const ExitWithEnv = "KUBELAB_CLUSTER_EXIT_WITH"

// Start-up phases, in order.
const (
	PhaseCertificates = "certificates"
	PhaseEtcd         = "etcd"
	PhaseAPIServer    = "apiserver"
	PhaseNodes        = "nodes"
	PhaseWaiting      = "waiting"
	PhaseReady        = "ready"
)

var phaseTitles = map[string]string{
	"process":         "Starting the cluster process",
	PhaseCertificates: "Preparing certificates",
	PhaseEtcd:         "Starting etcd",
	PhaseAPIServer:    "Starting the API server, controllers and scheduler",
	PhaseNodes:        "Starting 3 simulated nodes",
	PhaseWaiting:      "Waiting for the nodes to be Ready",
	PhaseReady:        "All nodes Ready",
}

// Errors with the fix in their message.
var (
	ErrNoClusterBinary = errors.New("kubelab-cluster, the embedded cluster's program, is neither next to kubelab nor on PATH; build both with `make build`")
	ErrBusy            = errors.New("another `kubelab up` or `kubelab down` is running for this cluster; wait for it to finish")
)

// PortInUseError says which port is taken and how to choose another.
type PortInUseError struct{ Port int }

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d on 127.0.0.1 is already in use by another program; stop that program or choose another port with `kubelab up --port %d`", e.Port, e.Port+1)
}

// CorruptStateError says which state file is damaged and how to recover.
type CorruptStateError struct {
	Path string
	Err  error
}

func (e *CorruptStateError) Error() string {
	return fmt.Sprintf("the lab's state file %s is damaged (%v); run `kubelab down` to remove the embedded cluster, then `kubelab up`", e.Path, e.Err)
}

func (e *CorruptStateError) Unwrap() error { return e.Err }

// meta is cluster.json: the owner marker and what Up needs to start again.
type meta struct {
	CreatedBy string    `json:"createdBy"`
	Backend   string    `json:"backend"`
	APIPort   int       `json:"apiPort"`
	CreatedAt time.Time `json:"createdAt"`
}

const owner = "kubelab"

// Provider runs the embedded cluster kept in one state directory.
type Provider struct {
	layout Layout
	port   int // 0: DefaultPort, or the port of an existing cluster
	binary string
}

var _ cluster.Provider = (*Provider)(nil)

// Option configures a Provider.
type Option interface{ apply(*Provider) error }

type optionFunc func(*Provider) error

func (f optionFunc) apply(p *Provider) error { return f(p) }

// WithStateDir keeps the cluster in dir instead of <state dir>/embedded.
func WithStateDir(dir string) Option {
	return optionFunc(func(p *Provider) error {
		abs, err := filepath.Abs(dir)
		p.layout.Dir = abs
		return err
	})
}

// WithPort serves the API on port; -1 picks any free port.
func WithPort(port int) Option {
	return optionFunc(func(p *Provider) error {
		if port < -1 || port > 65535 || port == 0 {
			return fmt.Errorf("port %d is not a valid TCP port (1-65535)", port)
		}
		p.port = port
		return nil
	})
}

// WithBinary runs the cluster program at path.
func WithBinary(path string) Option {
	return optionFunc(func(p *Provider) error { p.binary = path; return nil })
}

// New returns a Provider for the embedded cluster.
func New(opts ...Option) (*Provider, error) {
	p := &Provider{}
	for _, o := range opts {
		if err := o.apply(p); err != nil {
			return nil, err
		}
	}
	if p.layout.Dir == "" {
		dir, err := cluster.StateDir()
		if err != nil {
			return nil, err
		}
		p.layout.Dir = filepath.Join(dir, "embedded")
	}
	return p, nil
}

func (p *Provider) Backend() cluster.Backend { return cluster.Embedded }

// KubeconfigPath is the lab-owned kubeconfig.
func (p *Provider) KubeconfigPath() string { return p.layout.Kubeconfig() }

// Layout says where the cluster keeps its files.
func (p *Provider) Layout() Layout { return p.layout }

// Up starts the cluster process, or finds it running, and waits until every
// node is Ready. If ctx ends first (Ctrl-C), the process is stopped and a
// state directory this call created is removed: nothing half-started stays.
func (p *Provider) Up(ctx context.Context, progress func(cluster.Phase)) (cluster.Status, error) {
	start := time.Now()
	report := func(name string) {
		if progress != nil {
			progress(cluster.Phase{Name: name, Title: phaseTitles[name], Elapsed: time.Since(start)})
		}
	}
	_, statErr := os.Stat(p.layout.Dir)
	fresh := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(p.layout.Dir, 0o700); err != nil {
		return cluster.Status{}, fmt.Errorf("create state directory: %w", err)
	}
	release, err := Lock(filepath.Join(p.layout.Dir, "up.lock"))
	if errors.Is(err, ErrLocked) {
		return cluster.Status{}, ErrBusy
	}
	if err != nil {
		return cluster.Status{}, err
	}
	defer release()

	m, err := p.readMeta()
	switch {
	case errors.Is(err, os.ErrNotExist):
		m = meta{CreatedBy: owner, Backend: string(cluster.Embedded), CreatedAt: time.Now().UTC()}
	case err != nil:
		return cluster.Status{}, err
	}
	if Held(p.layout.LockFile()) {
		st, err := p.Status(ctx)
		st.Already = true
		return st, err
	}
	switch {
	case p.port > 0:
		m.APIPort = p.port
	case m.APIPort != 0:
		// keep the port of the existing cluster
	case p.port == -1:
		if m.APIPort, err = FreePort(); err != nil {
			return cluster.Status{}, err
		}
	default:
		m.APIPort = DefaultPort
	}
	if !PortFree(m.APIPort) {
		return cluster.Status{}, &PortInUseError{Port: m.APIPort}
	}
	bin, err := p.findBinary()
	if err != nil {
		return cluster.Status{}, err
	}
	if err := p.writeMeta(m); err != nil {
		return cluster.Status{}, err
	}

	report("process")
	cmd, phases, err := p.spawn(bin, m.APIPort)
	if err != nil {
		return cluster.Status{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	abort := func() {
		stopProcess(cmd.Process.Pid, exited)
		if fresh {
			_ = os.RemoveAll(p.layout.Dir)
		}
	}
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			abort()
			return cluster.Status{}, fmt.Errorf("interrupted while starting the embedded cluster; it was stopped and nothing is left running: %w", ctx.Err())
		case line, ok := <-phases:
			if !ok {
				phases = nil // the process closed its end; wait for its exit
				continue
			}
			if msg, isErr := strings.CutPrefix(line, "error "); isErr {
				lastErr = msg
				continue
			}
			name := strings.TrimPrefix(line, "phase ")
			report(name)
			if name == PhaseReady {
				return p.Status(ctx)
			}
		case <-exited:
			exited = nil
			if lastErr == "" {
				lastErr = lastLogError(p.layout.Log())
			}
			if fresh && errors.Is(ctx.Err(), context.Canceled) {
				_ = os.RemoveAll(p.layout.Dir)
			}
			return cluster.Status{}, fmt.Errorf("the embedded cluster stopped while starting: %s (full log: %s)", lastErr, p.layout.Log())
		}
	}
}

// spawn starts the cluster program in its own session, so that Ctrl-C in the
// terminal reaches kubelab (which decides) and not the cluster directly.
func (p *Provider) spawn(bin string, port int) (*exec.Cmd, <-chan string, error) {
	if err := os.MkdirAll(p.layout.LogDir(), 0o700); err != nil {
		return nil, nil, err
	}
	logf, err := os.OpenFile(p.layout.Log(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer logf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.Command(bin, "--dir", p.layout.Dir, "--port", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{pw}
	cmd.Env = append(os.Environ(), PhaseFDEnv+"=3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return nil, nil, fmt.Errorf("start %s: %w", bin, err)
	}
	pw.Close()
	phases := make(chan string, 16)
	go func() {
		defer close(phases)
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			phases <- sc.Text()
		}
	}()
	return cmd, phases, nil
}

// stopProcess asks a process to stop, then kills it after 5 s.
func stopProcess(pid int, exited <-chan error) {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		<-exited
	}
}

// Down stops the cluster process and removes the state directory.
func (p *Provider) Down(ctx context.Context) error {
	if _, err := os.Stat(p.layout.Dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	release, err := Lock(filepath.Join(p.layout.Dir, "up.lock"))
	if errors.Is(err, ErrLocked) {
		return ErrBusy
	}
	if err != nil {
		return err
	}
	defer release()
	if Held(p.layout.LockFile()) {
		pid, err := p.pid()
		if err != nil {
			return fmt.Errorf("the cluster process runs but its pid file is unreadable (%v); stop it by hand", err)
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		// The lock goes first, then the process: wait for both.
		for Held(p.layout.LockFile()) || Running(pid) {
			if time.Now().After(deadline) {
				_ = syscall.Kill(pid, syscall.SIGKILL)
				deadline = time.Now().Add(10 * time.Second)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if err := os.RemoveAll(p.layout.Dir); err != nil {
		return fmt.Errorf("remove %s: %w", p.layout.Dir, err)
	}
	return nil
}

// Status reports whether the process runs and what the API server says of the nodes.
func (p *Provider) Status(ctx context.Context) (cluster.Status, error) {
	st := cluster.Status{Backend: cluster.Embedded}
	m, err := p.readMeta()
	if errors.Is(err, os.ErrNotExist) {
		st.Problem = "there is no embedded lab cluster; start one with `kubelab up`"
		return st, nil
	}
	if err != nil {
		st.Problem = err.Error()
		return st, nil
	}
	st.APIServer = fmt.Sprintf("https://127.0.0.1:%d", m.APIPort)
	starting := func() bool { return Held(filepath.Join(p.layout.Dir, "up.lock")) }
	if !Held(p.layout.LockFile()) {
		if starting() {
			st.Starting, st.Problem = true, "the embedded cluster is starting; wait for `kubelab up` to finish"
			return st, nil
		}
		st.Problem = "the cluster process is not running (it stopped or was killed); `kubelab up` restarts it on the same data"
		return st, nil
	}
	st.Running = true
	if fi, err := os.Stat(p.layout.PidFile()); err == nil {
		st.StartedAt = fi.ModTime()
	}
	cs, err := p.Clientset()
	if err != nil {
		st.Problem = fmt.Sprintf("cannot read the lab kubeconfig: %v", err)
		return st, nil
	}
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	st.Nodes, err = cluster.ListNodes(qctx, cs.CoreV1().Nodes())
	if err != nil {
		st.Starting = starting()
		st.Problem = fmt.Sprintf("the cluster process runs but its API server does not answer (%v); see %s", err, p.layout.Log())
	}
	return st, nil
}
