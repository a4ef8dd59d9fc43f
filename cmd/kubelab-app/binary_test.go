package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// The app is the one program in a lesson image: it links the standard
// library and kubelab's own packages of the app and its contracts,
// nothing else.
func TestTheAppLinksOnlyTheStandardLibrary(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/kubelab/kubelab/cmd/kubelab-app": true,
		"github.com/kubelab/kubelab/lab/app":         true,
		"github.com/kubelab/kubelab/lab/sandbox":     true,
		"github.com/kubelab/kubelab/lab/metrics":     true,
		"github.com/kubelab/kubelab/lab/workload":    true,
	}
	for _, d := range strings.Fields(string(out)) {
		if !allowed[d] {
			t.Errorf("the lesson app links %s", d)
		}
	}
}

// On the real OS the app serves on loopback, names its host, and really
// spends the CPU each answer costs (workload.RequestCPU) and holds the
// memory it is asked to, as the kernel counts them.
func TestRealBinaryServesSpendsCPUAndHoldsMemory(t *testing.T) {
	t.Parallel()
	p := startApp(t, workload.EnvNode+"=kubelab-worker", workload.EnvCapacity+"=10", workload.EnvMemory+"=64Mi")
	if rss := procStatus(t, p.cmd.Process.Pid, "VmRSS"); rss < 64<<10 {
		t.Errorf("holding 64Mi, the process's RSS is %d kB", rss)
	}
	before := cpuTime(t, p.cmd.Process.Pid)
	const n = 30
	for range n {
		code, body := get(t, "http://"+p.addr+"/")
		if code != 200 || body != "kubelab-app v1 pod="+lookupHostname()+" node=kubelab-worker\n" {
			t.Fatalf("GET / = %d %q", code, body)
		}
	}
	spent := cpuTime(t, p.cmd.Process.Pid) - before
	// 30 answers at 10 ms each; /proc counts in 10 ms ticks.
	if want := n * workload.RequestCPU(10); spent < want-30*time.Millisecond {
		t.Errorf("%d answers spent %v of CPU, want at least about %v", n, spent, want)
	}
}

// KUBELAB_CRASH_AFTER makes the binary exit with status 1, and the broken
// build exits at once with a reason.
func TestCrashContractInTheRealBinary(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary(t, "v1"))
	cmd.Env = append(os.Environ(), workload.EnvCrashAfter+"=1s", workload.EnvAddr+"="+freeAddr(t))
	began := time.Now()
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || time.Since(began) < time.Second {
		t.Fatalf("crash-after: err %v after %v\n%s", err, time.Since(began), out)
	}
	if !strings.Contains(string(out), "exiting after 1s") {
		t.Errorf("output:\n%s", out)
	}
	cmd = exec.Command(binary(t, "broken"))
	cmd.Env = append(os.Environ(), workload.EnvAddr+"="+freeAddr(t))
	out, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "fatal: load configuration") {
		t.Fatalf("broken: %v\n%s", err, out)
	}
}

// Hung, the binary ends by the SIGTERM the kubelet sends (exit code 143 in
// a container), saying nothing more.
func TestHungBinaryDiesOfSIGTERM(t *testing.T) {
	t.Parallel()
	p := startApp(t, workload.EnvHangAfter+"=1")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.out.String(), workload.LogHung); {
		if time.Now().After(deadline) {
			t.Fatalf("never hung:\n%s", p.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if ws := p.wait(t); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the hung app ended with %v, want death by SIGTERM\n%s", ws, p.out)
	}
	if strings.Contains(p.out.String(), "stopping") {
		t.Errorf("a hung app said it was stopping:\n%s", p.out)
	}
}

// Not hung, SIGTERM stops it cleanly: exit 0 after "stopping".
func TestBinaryStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	p := startApp(t)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if ws := p.wait(t); ws.Signaled() || ws.ExitStatus() != 0 || !strings.HasSuffix(p.out.String(), "stopping\n") {
		t.Errorf("ended with %v:\n%s", ws, p.out)
	}
}

// POST KillPath: the answer arrives, then the process dies of SIGKILL
// (the kubelet sees exit code 137 and restarts it).
func TestKillAnswersThenDiesOfSIGKILL(t *testing.T) {
	t.Parallel()
	p := startApp(t)
	resp, err := http.Post("http://"+p.addr+workload.KillPath, "text/plain", nil)
	if err != nil {
		t.Fatalf("POST %s: %v", workload.KillPath, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s = %d", workload.KillPath, resp.StatusCode)
	}
	if ws := p.wait(t); !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("after the kill the app ended with %v, want death by SIGKILL\n%s", ws, p.out)
	}
}

// Files go to the real file system: data in KUBELAB_DATA_DIR, the access
// log in KUBELAB_LOG_FILE.
func TestBinaryKeepsItsFilesOnTheRealFileSystem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startApp(t, workload.EnvDataDir+"="+dir, workload.EnvLogFile+"="+filepath.Join(dir, "access.log"))
	req, _ := http.NewRequest(http.MethodPut, "http://"+p.addr+"/data/note", strings.NewReader("hello volume"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %v %v", resp, err)
	}
	resp.Body.Close()
	if b, err := os.ReadFile(filepath.Join(dir, "note")); err != nil || string(b) != "hello volume" {
		t.Fatalf("file = %q %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "access.log")); !strings.Contains(string(b), "GET /healthz 200") {
		t.Errorf("access.log:\n%s", b)
	}
}
