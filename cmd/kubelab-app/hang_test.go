package main

import (
	"errors"
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

// KUBELAB_HANG_AFTER: the app answers, then hangs: every request, probes
// included, waits without an answer, and the app says so once.
func TestHangAfterStopsAnswering(t *testing.T) {
	t.Parallel()
	addr, log := start(t, env{workload.EnvHangAfter: "1s"})
	if code, _ := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Fatalf("before the hang /healthz = %d", code)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), workload.LogHung) {
		if time.Now().After(deadline) {
			t.Fatalf("the app never said it hung:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	for _, path := range []string{"/healthz", "/readyz", "/"} {
		resp, err := client.Get("http://" + addr + path)
		if err == nil {
			resp.Body.Close()
			t.Errorf("hung, %s answered %d", path, resp.StatusCode)
		}
	}
	if !strings.Contains(log.String(), workload.LogHangAfter(time.Second)) {
		t.Errorf("the app did not announce the hang:\n%s", log)
	}
}

// The real binary, hung, ends by the SIGTERM the kubelet sends (exit code
// 143 in a container), saying nothing more.
func TestHungBinaryDiesOfSIGTERM(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "app")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), workload.EnvHangAfter+"=1", "KUBELAB_ADDR="+freeAddr(t))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), workload.LogHung) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("never hung:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v\n%s", err, out.String())
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the hung app ended with %v, want death by SIGTERM\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "stopping") {
		t.Errorf("a hung app said it was stopping:\n%s", out.String())
	}
}

func TestABadHangAfterIsAClearError(t *testing.T) {
	t.Parallel()
	e := env{workload.EnvHangAfter: "soon", "KUBELAB_ADDR": freeAddr(t)}
	if err := run(t.Context(), e, &syncBuffer{}); err == nil || !strings.Contains(err.Error(), `KUBELAB_HANG_AFTER="soon"`) {
		t.Fatalf("err = %v", err)
	}
}
