package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/app"
	"github.com/kubelab/kubelab/lab/sandbox/inmem"
	"github.com/kubelab/kubelab/lab/workload"
)

// The binary on the real OS and the library in the sandbox are one
// program: for the same environment they print the same lines (who and
// where aside) up to their start, or to their end.
func TestTheBinaryAndTheSandboxSayTheSame(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name, tag string
		env       map[string]string
	}{
		{"server", "v1", nil},
		{"every switch", "v1", map[string]string{workload.EnvReady: "false", workload.EnvCrashAfter: "1h", workload.EnvMemory: "1Mi", workload.EnvHangAfter: "1h"}},
		{"worker", "v1", map[string]string{workload.EnvMode: workload.ModeWorker, workload.EnvQueue: "orders"}},
		{"queue", "v1", map[string]string{workload.EnvMode: workload.ModeQueue}},
		{"load", "v1", map[string]string{workload.EnvMode: workload.ModeLoad, workload.EnvTarget: "127.0.0.1:1"}},
		{"tail", "v1", map[string]string{workload.EnvMode: workload.ModeTail, workload.EnvFile: filepath.Join(dir, "log")}},
		{"proxy", "v1", map[string]string{workload.EnvMode: workload.ModeProxy, workload.EnvListen: "0", workload.EnvTarget: "127.0.0.1:1"}},
		{"adapter", "v1", map[string]string{workload.EnvMode: workload.ModeAdapter}},
		{"db", "v1", map[string]string{workload.EnvMode: workload.ModeDB, workload.EnvDataDir: dir}},
		{"job", "v1", map[string]string{workload.EnvMode: workload.ModeJob, workload.EnvMessage: "nightly report"}},
		{"not a mode", "v1", map[string]string{workload.EnvMode: "sever"}},
		{"broken", "broken", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{workload.EnvAddr: freeAddr(t)}
			for k, v := range c.env {
				env[k] = v
			}
			real := realLines(t, c.tag, env)
			sandboxed := sandboxLines(t, c.tag, env)
			if got, want := normal(sandboxed), normal(real); !slices.Equal(got, want) {
				t.Errorf("in the sandbox:\n  %s\non the OS:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

var whoRE = regexp.MustCompile(`\b(pod|namespace|ip)=\S+`)

func normal(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = whoRE.ReplaceAllString(l, "$1=*")
	}
	return out
}

// started says whether line is the last start-up line for env.
func started(env map[string]string) func(string) bool {
	e := workload.Env(func(k string) string { return env[k] })
	return func(line string) bool {
		if workload.Serves(e.Mode()) {
			return strings.HasPrefix(line, "listening on ")
		}
		return line == workload.LogMode(e) && e.Mode() != workload.ModeJob
	}
}

func realLines(t *testing.T, tag string, env map[string]string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t, tag))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); _ = w.Close() }()
	defer func() { _ = cmd.Process.Kill(); go func() { _, _ = io.Copy(io.Discard, r) }() }()
	var lines []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if started(env)(sc.Text()) {
			break
		}
	}
	return lines
}

func sandboxLines(t *testing.T, tag string, env map[string]string) []string {
	t.Helper()
	fs := inmem.NewMemFS()
	if err := fs.MkdirAll(env[workload.EnvDataDir]+"/", 0o755); err != nil {
		t.Fatal(err)
	}
	p := inmem.NewProc(fs, inmem.NewMemNet().Pod("10.244.1.5"), "kubelab-app")
	out := &inmem.Buffer{}
	p.Stdout, p.Stderr = out, out
	for k, v := range env {
		p.Env = append(p.Env, k+"="+v)
	}
	run := inmem.Start(context.Background(), app.Program(tag), p)
	defer run.Stop(10 * time.Second)
	is := started(env)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		lines := out.Lines()
		if len(lines) > 0 && is(lines[len(lines)-1]) {
			return lines
		}
		if _, done := run.Wait(0); done {
			return out.Lines()
		}
	}
	t.Fatalf("never started:\n%s", out)
	return nil
}
