package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// The real binary, built once per test run (as v1 and as broken), with
// the tools linked to it as the image links them.
var (
	binDir   string
	buildBin = sync.OnceValue(func() error {
		for _, v := range []string{"v1", "broken"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, v), "-ldflags", "-X main.version="+v, ".").CombinedOutput()
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
		}
		for _, name := range workload.Tools {
			if err := os.Link(filepath.Join(binDir, "v1"), filepath.Join(binDir, name)); err != nil {
				return err
			}
		}
		return nil
	})
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kubelab-app-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func binary(t *testing.T, name string) string {
	t.Helper()
	if err := buildBin(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return filepath.Join(binDir, name)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncBuffer collects a process's output safely.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// proc is the real app running on loopback.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	addr string
	done chan error
}

// startApp runs the v1 binary with env until the test ends and waits until
// it answers /healthz.
func startApp(t *testing.T, env ...string) *proc {
	t.Helper()
	p := &proc{out: &syncBuffer{}, addr: freeAddr(t), done: make(chan error, 1)}
	p.cmd = exec.Command(binary(t, "v1"))
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), workload.EnvAddr + "=" + p.addr}, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get("http://" + p.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app did not listen: %v\n%s", err, p.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for the process to end and returns how it did.
func (p *proc) wait(t *testing.T) syscall.WaitStatus {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		var ee *exec.ExitError
		if err == nil {
			return 0
		}
		if !errors.As(err, &ee) {
			t.Fatalf("wait: %v", err)
		}
		return ee.Sys().(syscall.WaitStatus)
	case <-time.After(10 * time.Second):
		t.Fatalf("the app did not end:\n%s", p.out)
	}
	return 0
}

// procStatus reads a field of /proc/PID/status ("VmRSS", in kB).
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// cpuTime is the CPU time a process has spent (/proc/PID/stat utime+stime).
func cpuTime(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func lookupHostname() string { h, _ := os.Hostname(); return h }
