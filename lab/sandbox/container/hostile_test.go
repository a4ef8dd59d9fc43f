package container_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/container"
	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// imagePasswd is the test image's /etc/passwd.
var imagePasswd = string(sandboxtest.Image()["etc/passwd"].Data)

// TestConfinedFiles throws at a container the paths that would reach the
// host's files on a careless sandbox: every one ends inside the container.
func TestConfinedFiles(t *testing.T) {
	t.Parallel()
	hostDir := t.TempDir()
	secret := filepath.Join(hostDir, "secret")
	if err := os.WriteFile(secret, []byte("HOST SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	volDir := filepath.Join(hostDir, "vol")
	os.Mkdir(volDir, 0o755)
	os.Symlink(secret, filepath.Join(volDir, "to-secret"))
	os.Symlink("../secret", filepath.Join(volDir, "up"))
	vol, err := vfs.OpenVolume(volDir, vfs.RootMode(0o777))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vol.Close() })
	withVol := func(c *container.Config) { c.Mounts = []vfs.Mount{{Path: "/data", Volume: vol}} }
	tests := []struct {
		name, script, want string
	}{
		{"the image's passwd", `cat /etc/passwd`, imagePasswd},
		{"dot dots above /", `cd /tmp && cat ../../../../etc/passwd`, imagePasswd},
		{"shadow through dot dots", `cat ../../../../etc/shadow`, "root:*:10933:0:99999:7:::\n"},
		{"a link to /", `ln -s / /tmp/x && cat /tmp/x/etc/passwd`, imagePasswd},
		{"a link to / in a volume", `ln -s / /data/root && cat /data/root/etc/passwd`, imagePasswd},
		{"a volume's parent", `cat /data/../etc/passwd`, imagePasswd},
		{"proc self root", `cat /proc/self/root/etc/passwd`, imagePasswd},
		{"host link to the secret", `cat /data/to-secret 2>&1`, "cat: can't open '/data/to-secret': No such file or directory\n"},
		{"host link up", `cat /data/up 2>&1`, "cat: can't open '/data/up': No such file or directory\n"},
		{"the host's path of the secret", `cat ` + secret + ` 2>&1`, "cat: can't open '" + secret + "': No such file or directory\n"},
		{"cd above /", `cd /; cd ..; cd ../..; pwd; ls -d ..`, "/\n..\n"},
		{"find from /", `find / -name secret`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sandboxtest.Sh(t, tt.script, withVol)
			if strings.Contains(r.Stdout+r.Stderr, "HOST SECRET") {
				t.Fatalf("%q read the host's file", tt.script)
			}
			if r.Stdout != tt.want {
				t.Errorf("%q: stdout %q stderr %q, want %q", tt.script, r.Stdout, r.Stderr, tt.want)
			}
		})
	}
	r := sandboxtest.Sh(t, `echo owned > /data/../../secret; echo x > /data/up; echo y > `+secret, withVol)
	if b, _ := os.ReadFile(secret); string(b) != "HOST SECRET" {
		t.Errorf("writes changed the host's file: %q (%+v)", b, r)
	}
	if hostPasswd, err := os.ReadFile("/etc/passwd"); err == nil && string(hostPasswd) == imagePasswd {
		t.Fatal("the host's /etc/passwd is the image's: the test proves nothing")
	}
}

// TestNoHostProgram runs host programs by name and by path, and a command
// that a host program would leave a marker with: none runs.
func TestNoHostProgram(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "marker")
	hostPath := "PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin:" + filepath.Join(runtime.GOROOT(), "bin")
	tests := []struct{ script, stderr string }{
		{`exec /usr/bin/id`, "sh: /usr/bin/id: not found\n"},
		{hostPath + `; go version`, "sh: go: not found\n"},
		{`/bin/bash -c 'touch ` + marker + `'`, "sh: /bin/bash: not found\n"},
		{`/usr/bin/env touch ` + marker, "sh: /usr/bin/env: not found\n"},
		{`env /usr/bin/touch ` + marker, "env: can't execute '/usr/bin/touch': No such file or directory\n"},
		{`xargs -I{} /bin/sh -c 'python3 -c "open(\"{}\",\"w\")"' <<EOF` + "\n" + marker + "\nEOF", "sh: python3: not found\n"},
		{`find / -maxdepth 0 -exec /usr/bin/touch ` + marker + ` \;`, "find: can't execute '/usr/bin/touch': No such file or directory\n"},
	}
	for _, tt := range tests {
		r := sandboxtest.Sh(t, tt.script, nil)
		if r.Stderr != tt.stderr {
			t.Errorf("%q: stderr %q, want %q", tt.script, r.Stderr, tt.stderr)
		}
	}
	// What touch made is in the container, never on the host.
	r := sandboxtest.Sh(t, `mkdir -p `+filepath.Dir(marker)+` && touch `+marker+` && ls `+marker, nil)
	if r.Stdout != marker+"\n" {
		t.Errorf("touch in the container: %+v", r)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("a command of the container made %s on the host", marker)
	}
}

// TestNoHostEnvironment sets a variable in the test process: no command of
// a container ever sees it, nor the host's HOME.
func TestNoHostEnvironment(t *testing.T) {
	name := fmt.Sprintf("KUBELAB_LEAK_%d", time.Now().UnixNano())
	t.Setenv(name, "leaked")
	t.Setenv("HOME", "/host/home/leaked")
	r := sandboxtest.Sh(t, `env; printenv; set; export -p; echo $`+name+`; cat /proc/self/environ; cat /proc/1/environ; echo ~; echo $HOME`, nil)
	if strings.Contains(r.Stdout+r.Stderr, "leaked") {
		t.Fatalf("the host's environment leaked:\n%s%s", r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stdout, "/root\n/root\n") {
		t.Errorf("HOME is not the container's /root:\n%s", r.Stdout)
	}
	r = sandboxtest.Sh(t, `echo ~root ~nobody ~`+hostOnlyUser(t), nil)
	if r.Stdout != "/root /home ~"+hostOnlyUser(t)+"\n" {
		t.Errorf("~user reads the host's users: %q", r.Stdout)
	}
}

// hostOnlyUser is a user of the host that the image does not have.
func hostOnlyUser(t *testing.T) string {
	b, _ := os.ReadFile("/etc/passwd")
	for _, line := range strings.Split(string(b), "\n") {
		name, _, _ := strings.Cut(line, ":")
		if name != "" && !strings.Contains(imagePasswd, name+":") {
			return name
		}
	}
	return "kubelabnosuchuser"
}

// TestNoHostNetwork listens on the host's loopback: wget and nc of a
// container at that address never reach it (the pod's network has no such
// listener).
func TestNoHostNetwork(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "host")
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	host, port, _ := strings.Cut(addr, ":")
	r := sandboxtest.Sh(t, `wget -q -O - `+srv.URL+`; echo wget=$?; nc -z -w 2 `+host+` `+port+`; echo nc=$?; wget -q -O - http://localhost:`+port+`; echo $?`, nil)
	if hits.Load() != 0 || strings.Contains(r.Stdout, "host") {
		t.Fatalf("a container reached the host's server: %+v", r)
	}
	if !strings.Contains(r.Stdout, "wget=1\nnc=1\n") {
		t.Errorf("got %+v", r)
	}
}

// TestBounded runs what would eat a host: each is bounded.
func TestBounded(t *testing.T) {
	t.Parallel()
	t.Run("huge output through a pipe", func(t *testing.T) {
		t.Parallel()
		r := sandboxtest.Sh(t, `yes | head -c 20000000 | wc -c`, nil)
		if r.Stdout != "20000000\n" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("a full volume", func(t *testing.T) {
		t.Parallel()
		vol, err := vfs.OpenVolume(t.TempDir(), vfs.SizeLimit(1<<20), vfs.RootMode(0o777))
		if err != nil {
			t.Fatal(err)
		}
		defer vol.Close()
		r := sandboxtest.Sh(t, `yes > /data/f; echo $?; du -k /data/f`, func(c *container.Config) {
			c.Mounts = []vfs.Mount{{Path: "/data", Volume: vol}}
		})
		if r.Stderr != "yes: write error: No space left on device\n" || !strings.HasPrefix(r.Stdout, "1\n") {
			t.Errorf("got %+v", r)
		}
		if used, limit := vol.Usage(); used > limit {
			t.Errorf("the volume holds %d bytes, over its %d", used, limit)
		}
	})
	t.Run("a full writable layer", func(t *testing.T) {
		t.Parallel()
		r := sandboxtest.Sh(t, `yes > /tmp/f; echo $?`, func(c *container.Config) { c.UpperLimit = 1 << 20 })
		if r.Stdout != "1\n" || !strings.Contains(r.Stderr, "No space left on device") {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("an endless loop stops with its container", func(t *testing.T) {
		t.Parallel()
		b := sandboxtest.NewBox(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, b, ctx, "sh", "-c", "while :; do :; done")
		cancel()
		if s := status(t, done); s != 143 {
			t.Errorf("status %d, want 143", s)
		}
	})
	t.Run("a fork bomb", func(t *testing.T) {
		t.Parallel()
		before := runtime.NumGoroutine()
		b := sandboxtest.NewBox(t, func(c *container.Config) { c.MaxProcs = 64 })
		ctx, cancel := context.WithCancel(context.Background())
		done := run(t, b, ctx, "sh", "-c", ":(){ :|:& };:; sleep 3600")
		waitFor(t, "the bomb to reach the limit", func() bool {
			return strings.Contains(b.Stderr.String(), "can't fork: Resource temporarily unavailable")
		})
		if n := len(b.Processes().List()); n > 64 {
			t.Errorf("%d processes, over the limit of 64", n)
		}
		cancel()
		b.Kill()
		status(t, done)
		waitFor(t, "the bomb's goroutines to end", func() bool { return runtime.NumGoroutine() < before+64 })
	})
}
