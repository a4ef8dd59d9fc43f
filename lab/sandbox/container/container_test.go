package container_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/container"
	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
	"github.com/kubelab/kubelab/lab/sandbox/shell"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// bound is how long a test waits for something that should happen at once:
// a bound for a loaded machine, not an expectation.
const bound = 30 * time.Second

func TestShellCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script   string
		stdout, stderr string
		status         int
	}{
		{"command substitution and hostname", `echo hello from $(hostname); echo $HOSTNAME`, "hello from box-7d4b9c\nbox-7d4b9c\n", "", 0},
		{"exit status", `echo bye; exit 3`, "bye\n", "", 3},
		{"ls of a missing path", `ls /notexist`, "", "ls: /notexist: No such file or directory\n", 1},
		{"missing command", `nosuchcmd --flag`, "", "sh: nosuchcmd: not found\n", 127},
		{"file without exec permission", `echo 'echo x' > /tmp/s; /tmp/s`, "", "sh: /tmp/s: Permission denied\n", 126},
		{"script with #!", "printf '#!/bin/sh\\necho from script $1\\n' > /tmp/s; chmod +x /tmp/s; /tmp/s arg", "from script arg\n", "", 0},
		{"script without #!", "printf 'echo plain $0\\n' > /tmp/p; chmod 755 /tmp/p; /tmp/p", "plain /tmp/p\n", "", 0},
		{"redirections", `echo a > /tmp/f; echo b >> /tmp/f; cat < /tmp/f; ls /nope 2>&1 | cat`, "a\nb\nls: /nope: No such file or directory\n", "", 0},
		{"redirection errors", `cat < /nope; echo x > /nodir/f`, "", "sh: can't open /nope: no such file\nsh: can't create /nodir/f: nonexistent directory\n", 1},
		{"here-doc", "cat <<EOF\nhi $HOSTNAME\nEOF", "hi box-7d4b9c\n", "", 0},
		{"loop, arithmetic, test", `i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo -n $i; done; echo`, "123\n", "", 0},
		{"read", `echo "a b" | { read x y; echo $y$x; }`, "ba\n", "", 0},
		{"functions", `f() { echo "in f $1"; return 4; }; f one; echo $?`, "in f one\n4\n", "", 0},
		{"pipes", `seq 10 | grep 1 | wc -l`, "2\n", "", 0},
		{"cd", `cd /nope; echo $?; cd /etc && pwd; cd ..; cd ..; pwd`, "2\n/etc\n/\n", "sh: cd: line 0: can't cd to /nope: No such file or directory\n", 0},
		{"set -e", `set -e; false; echo never`, "", "", 1},
		{"set -x", `set -x; a=1; echo $a`, "1\n", "+ a=1\n+ echo 1\n", 0},
		{"exec replaces the shell", `exec sh -c 'exit 9'; echo never`, "", "", 9},
		{"syntax error", `if then`, "", "sh: syntax error: `if` must be followed by a statement list\n", 2},
		{"$0 and args", `echo $0`, "sh\n", "", 0},
		{"/dev/stdout", `echo out > /dev/stdout; echo err > /dev/stderr`, "out\n", "err\n", 0},
		{"sed and awk", `echo 'a:b' | sed 's/a/x/' | awk -F: '{print $2 $1}'`, "bx\n", "", 0},
		{"id", `id; whoami`, "uid=0(root) gid=0(root) groups=0(root),10(wheel)\nroot\n", "", 0},
		{"no process substitution", `cat <(echo hi)`, "", "sh: process substitution is not supported\n", 2},
		{"bash refuses process substitution", `bash -c 'cat <(echo hi)'`, "", "bash: line 1: process substitution is not supported\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sandboxtest.Sh(t, tt.script, withBash)
			if r.Err != nil || r.Stdout != tt.stdout || r.Stderr != tt.stderr || r.Status != tt.status {
				t.Errorf("sh -c %q\n got stdout %q stderr %q status %d err %v\nwant stdout %q stderr %q status %d",
					tt.script, r.Stdout, r.Stderr, r.Status, r.Err, tt.stdout, tt.stderr, tt.status)
			}
		})
	}
}

func withBash(c *container.Config) { c.Programs["/bin/bash"] = shell.Bash() }

func TestMissingExecutable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		argv []string
		msg  string
	}{
		{[]string{"nosuch"}, `exec: "nosuch": executable file not found in $PATH`},
		{[]string{"/bin/nosuch", "x"}, `exec: "/bin/nosuch": stat /bin/nosuch: no such file or directory`},
		{[]string{"/etc/passwd"}, `exec: "/etc/passwd": permission denied`},
	}
	for _, tt := range tests {
		t.Run(tt.argv[0], func(t *testing.T) {
			t.Parallel()
			b := sandboxtest.NewBox(t, nil)
			_, err := b.Run(context.Background(), tt.argv)
			var ee *sandbox.ExecError
			if !errors.As(err, &ee) || err.Error() != tt.msg {
				t.Fatalf("Run(%q) = %v, want an ExecError %q", tt.argv, err, tt.msg)
			}
		})
	}
}

// run starts argv as the box's main process; it returns a channel that
// gives its status.
func run(t *testing.T, b *sandboxtest.Box, ctx context.Context, argv ...string) <-chan int {
	t.Helper()
	done := make(chan int, 1)
	go func() {
		status, err := b.Run(ctx, argv)
		if err != nil {
			t.Errorf("Run(%q): %v", argv, err)
		}
		done <- status
	}()
	waitFor(t, "the main process to start", func() bool { return len(b.Processes().List()) > 0 })
	return done
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", bound, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func status(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case s := <-done:
		return s
	case <-time.After(bound):
		t.Fatalf("the main process did not end within %v", bound)
	}
	return -1
}

func TestSignals(t *testing.T) {
	t.Parallel()
	t.Run("SIGTERM ends a sleeping shell with 143", func(t *testing.T) {
		t.Parallel()
		b := sandboxtest.NewBox(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, b, ctx, "sh", "-c", "echo started; sleep 3600")
		waitFor(t, "sleep", func() bool { return len(b.Processes().List()) == 2 })
		cancel()
		if s := status(t, done); s != 143 {
			t.Errorf("status %d, want 143", s)
		}
	})
	t.Run("a TERM trap runs its handler", func(t *testing.T) {
		t.Parallel()
		b := sandboxtest.NewBox(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, b, ctx, "sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.05; done")
		waitFor(t, "the trap", func() bool { return strings.Contains(b.Stdout.String(), "ready") })
		cancel()
		if s := status(t, done); s != 0 || b.Stdout.String() != "ready\nbye\n" {
			t.Errorf("status %d, stdout %q; want 0 and ready, bye", s, b.Stdout.String())
		}
	})
	t.Run("SIGKILL ends a shell that ignores TERM, with 137", func(t *testing.T) {
		t.Parallel()
		b := sandboxtest.NewBox(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, b, ctx, "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done")
		waitFor(t, "the trap", func() bool { return strings.Contains(b.Stdout.String(), "ready") })
		cancel()
		// TERM is ignored: the shell keeps looping, its sleeps keep coming.
		seen := map[int]bool{}
		waitFor(t, "two more sleeps after SIGTERM", func() bool {
			for _, p := range b.Processes().List() {
				if p.PID > 1 {
					seen[p.PID] = true
				}
			}
			return len(seen) >= 3
		})
		b.Kill()
		if s := status(t, done); s != 137 {
			t.Errorf("status %d, want 137", s)
		}
	})
	t.Run("kill from inside", func(t *testing.T) {
		t.Parallel()
		r := sandboxtest.Sh(t, `sleep 3600 & p=$!; kill $p; wait $p; echo $?`, nil)
		if r.Stdout != "143\n" || r.Status != 0 {
			t.Errorf("got %+v", r)
		}
	})
}

func TestExec(t *testing.T) {
	t.Parallel()
	b := sandboxtest.NewBox(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := run(t, b, ctx, "sh", "-c", "echo ok > /tmp/healthy; exec sleep 3600")
	waitFor(t, "exec sleep", func() bool {
		ps := b.Processes().List()
		return len(ps) == 1 && strings.Join(ps[0].Args, " ") == "sleep 3600"
	})
	out := &sandboxtest.Buffer{}
	s, err := b.Exec(context.Background(), []string{"sh", "-c", "cat /tmp/healthy; ps"}, nil, out, out, false)
	want := "ok\nPID   USER     TIME  COMMAND\n    1 root      0:00 sleep 3600\n"
	if err != nil || s != 0 || !strings.HasPrefix(out.String(), want) {
		t.Errorf("exec: %d %v\n%s\nwant a prefix\n%s", s, err, out, want)
	}
	if _, err := b.Exec(context.Background(), []string{"nosuch"}, nil, nil, nil, false); !errors.Is(err, sandbox.ErrNotFound) {
		t.Errorf("exec of a missing command: %v", err)
	}
	b.Exec(context.Background(), []string{"sh", "-c", "echo 'bad config' > /dev/termination-log"}, nil, nil, nil, false)
	if msg, err := b.ReadFile("/dev/termination-log"); string(msg) != "bad config\n" {
		t.Errorf("termination message %q %v", msg, err)
	}
	probe, err := b.Exec(context.Background(), []string{"cat", "/tmp/absent"}, nil, nil, nil, false)
	if err != nil || probe != 1 {
		t.Errorf("a failing exec probe: %d %v, want 1", probe, err)
	}
	cancel()
	if s := status(t, done); s != 143 {
		t.Errorf("sleep's status %d, want 143", s)
	}
	if _, err := b.Exec(context.Background(), []string{"true"}, nil, nil, nil, false); err == nil {
		t.Errorf("exec into an exited container succeeded")
	}
}

func TestVolumesBetweenContainers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	vol, err := vfs.OpenVolume(dir, vfs.RootMode(0o777))
	if err != nil {
		t.Fatal(err)
	}
	defer vol.Close()
	withVol := func(c *container.Config) { c.Mounts = []vfs.Mount{{Path: "/data", Volume: vol}} }
	if r := sandboxtest.Sh(t, `echo "written by the first" > /data/log`, withVol); r.Status != 0 {
		t.Fatalf("writer: %+v", r)
	}
	r := sandboxtest.Sh(t, `cat /data/log; ls /data`, withVol)
	if r.Stdout != "written by the first\nlog\n" {
		t.Errorf("the second container (a restart, a sidecar) reads %+v", r)
	}
	ro := func(c *container.Config) { c.Mounts = []vfs.Mount{{Path: "/data", Volume: vol, ReadOnly: true}} }
	if r := sandboxtest.Sh(t, `echo x > /data/y`, ro); !strings.Contains(r.Stderr, "Read-only file system") {
		t.Errorf("write to a read-only mount: %+v", r)
	}
}

func TestImageUsersAndReadOnlyRoot(t *testing.T) {
	t.Parallel()
	nonRoot := func(c *container.Config) { c.UID, c.GID = 1000, 1000 }
	r := sandboxtest.Sh(t, `touch /etc/x; id`, nonRoot)
	if r.Stderr != "touch: /etc/x: Permission denied\n" || r.Stdout != "uid=1000 gid=1000 groups=1000\n" {
		t.Errorf("non-root: %+v", r)
	}
	vol, _ := vfs.NewMemVolume(vfs.RootMode(0o777))
	roRoot := func(c *container.Config) {
		c.ReadOnlyRoot = true
		c.Mounts = []vfs.Mount{{Path: "/cache", Volume: vol}}
	}
	r = sandboxtest.Sh(t, `touch /tmp/x; touch /cache/x && echo cache ok`, roRoot)
	if r.Stderr != "touch: /tmp/x: Read-only file system\n" || r.Stdout != "cache ok\n" {
		t.Errorf("readOnlyRootFilesystem: %+v", r)
	}
}

func TestProgramFilesAndLinks(t *testing.T) {
	t.Parallel()
	img := func(c *container.Config) {
		c.Image = append(c.Image, fstest.MapFS{"usr/bin": {Mode: fs.ModeDir | 0o755}})
	}
	r := sandboxtest.Sh(t, `cp /bin/ls /tmp/myls && /tmp/myls -d /etc; ln -s /bin/busybox /tmp/cat; echo hi | /tmp/cat; busybox echo via busybox`, img)
	if r.Stdout != "/etc\nhi\nvia busybox\n" || r.Status != 0 {
		t.Errorf("got %+v", r)
	}
}

func TestProcessTable(t *testing.T) {
	t.Parallel()
	r := sandboxtest.Sh(t, `ls -d /proc/1 /proc/self; cat /proc/1/cmdline | tr '\0' ' '; echo; kill -0 1 && echo alive; kill 99; echo $?`, nil)
	want := "/proc/1\n/proc/self\nsh -c ls -d /proc/1 /proc/self; cat /proc/1/cmdline | tr '\\0' ' '; echo; kill -0 1 && echo alive; kill 99; echo $? \nalive\n1\n"
	if r.Stdout != want || r.Stderr != "kill: can't kill pid 99: No such process\n" {
		t.Errorf("got %q %q\nwant %q", r.Stdout, r.Stderr, want)
	}
}
