package kind

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	kindexec "sigs.k8s.io/kind/pkg/exec"
)

// These tests drive the real docker CLI, and where they can the machine's
// real Docker engine (.ci/kind/docker-up starts one), through sockets that
// put the engine in the state each test names. None runs in parallel: they
// set DOCKER_HOST.

// realDocker is the socket of the Docker engine that answers here; the test
// is skipped when none does.
func realDocker(t *testing.T) string {
	t.Helper()
	sock := "/var/run/docker.sock"
	if h := os.Getenv("DOCKER_HOST"); strings.HasPrefix(h, "unix://") {
		sock = strings.TrimPrefix(h, "unix://")
	}
	if err := exec.Command("docker", "info", "--format", "{{.ID}}").Run(); err != nil {
		t.Skip("no Docker engine answers here (`docker info` fails); start one with .ci/kind/docker-up")
	}
	return sock
}

// proxy is a socket in front of the real engine's. Once a client has asked
// for /info, it takes no more connections when stopAfterInfo is set: the
// engine stops right after it answered kubelab's preflight.
type proxy struct {
	path          string
	ln            net.Listener
	stopAfterInfo bool
	once          sync.Once
}

func newProxy(t *testing.T, target string, stopAfterInfo bool) *proxy {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // others may reach the socket; its own mode decides
		t.Fatal(err)
	}
	p := &proxy{path: filepath.Join(dir, "docker.sock"), stopAfterInfo: stopAfterInfo}
	ln, err := net.Listen("unix", p.path)
	if err != nil {
		t.Fatal(err)
	}
	p.ln = ln
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target)
		}
	}()
	return p
}

func (p *proxy) stop() { p.once.Do(func() { _ = p.ln.Close() }) }

func (p *proxy) serve(c net.Conn, target string) {
	defer c.Close()
	up, err := net.Dial("unix", target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(c, up) }()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if p.stopAfterInfo && bytes.Contains(buf[:n], []byte("/info ")) {
				p.stop() // this call is answered; the next finds no engine
			}
			if _, werr := up.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func useDocker(t *testing.T, sock string) {
	t.Setenv("DOCKER_HOST", "unix://"+sock)
	t.Setenv("DOCKER_CONTEXT", "")
}

// oneSentence checks that err is one sentence that says what to do and
// names the log, and that the log keeps docker's own words.
func oneSentence(t *testing.T, p *Provider, err error, fix string, logged string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	t.Logf("the learner reads: %s", msg)
	if strings.Contains(msg, "\n") || strings.Contains(msg, "exit status") || strings.Contains(msg, "failed with error") {
		t.Errorf("not one sentence for a learner: %q", msg)
	}
	if !strings.Contains(msg, fix) || !strings.Contains(msg, p.LogPath()) {
		t.Errorf("the sentence lacks %q or the log %s: %q", fix, p.LogPath(), msg)
	}
	data, rerr := os.ReadFile(p.LogPath())
	if rerr != nil || !strings.Contains(string(data), logged) {
		t.Errorf("log %s lacks %q: %v\n%s", p.LogPath(), logged, rerr, data)
	}
}

// The engine is starting: dockerd holds its socket but answers nothing yet.
// A listener that takes connections and never replies is that state (the
// real engine cannot be held there on demand).
func TestUpWhileTheEngineStartsSaysToWait(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI here")
	}
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	useDocker(t, sock)
	defer func(w time.Duration) { engineWait = w }(engineWait)
	engineWait = time.Second
	p, err := New(WithStateDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(context.Background(), nil)
	var pe *PreflightError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "does not answer yet") {
		t.Fatalf("err = %v (%T), want the engine said to be starting", err, err)
	}
	oneSentence(t, p, err, "wait until `docker info` answers", "does not answer yet")
}

// The engine stops mid-`up`: it answered the preflight, then kind's
// `docker ps` finds no engine.
func TestEngineStoppingMidUpIsOneSentence(t *testing.T) {
	px := newProxy(t, realDocker(t), true)
	useDocker(t, px.path)
	p, err := New(WithStateDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(context.Background(), nil)
	var de *DockerError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "stopped answering while kubelab was listing kind's clusters") {
		t.Fatalf("err = %v (%T), want the engine said to have stopped while listing clusters", err, err)
	}
	oneSentence(t, p, err, "`sudo systemctl start docker`", "Cannot connect to the Docker daemon")
}

// A socket this user may not open: the real engine behind a socket of mode
// 0600, and the real docker CLI run as nobody (the tests run as root, whom
// no mode stops), through a wrapper on PATH that only drops the user.
func TestSocketWithoutPermissionSaysToJoinTheDockerGroup(t *testing.T) {
	px := newProxy(t, realDocker(t), false)
	if err := os.Chmod(px.path, 0o600); err != nil {
		t.Fatal(err)
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Fatal(err)
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and setpriv to run docker as another user")
	}
	bin, cfg := t.TempDir(), t.TempDir()
	for _, d := range []string{bin, cfg} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\nexec " + setpriv + " --reuid=65534 --regid=65534 --clear-groups " + docker + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_CONFIG", cfg)
	useDocker(t, px.path)
	p, err := New(WithStateDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Up(context.Background(), nil)
	var pe *PreflightError
	if !errors.As(err, &pe) || pe.Reason != "this user may not use the Docker engine" {
		t.Fatalf("err = %v (%T), want the user said to lack permission", err, err)
	}
	oneSentence(t, p, err, "`sudo usermod -aG docker $USER`", "permission denied")
}

// A command the engine answers with an error of its own (a real one here: a
// filter it does not know) is one sentence too, its words in the log.
func TestFailedCommandOnAnAnsweringEngineIsOneSentence(t *testing.T) {
	useDocker(t, realDocker(t))
	p, err := New(WithStateDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	cmd := kindexec.Command("docker", "ps", "--filter", "kubelab-no-such-filter=1")
	_, runErr := kindexec.CombinedOutputLines(cmd)
	var re *kindexec.RunError
	if !errors.As(runErr, &re) {
		t.Fatalf("docker ps with a bad filter: %v (%T)", runErr, runErr)
	}
	err = p.explain(context.Background(), "listing kind's clusters", runErr)
	oneSentence(t, p, err, "run `kubelab up` again", "kubelab-no-such-filter")
	if mine := errors.New("port 30080 on 127.0.0.1 is in use"); p.explain(context.Background(), "x", mine) != mine {
		t.Error("kubelab's own sentence was rewritten")
	}
}
