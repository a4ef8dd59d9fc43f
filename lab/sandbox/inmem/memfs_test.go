package inmem

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

func TestMemFSPermissionsAreTheKernels(t *testing.T) {
	t.Parallel()
	m := NewMemFS()
	if err := m.MkdirAll("/var/cache/nginx", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.MkdirAll("/tmp", 0o777); err != nil {
		t.Fatal(err)
	}
	nginx := m.View(101, 101, "/")
	err := nginx.Mkdir("/var/cache/nginx/client_temp", 0o700)
	if !errors.Is(err, fs.ErrPermission) || err.Error() != "mkdir /var/cache/nginx/client_temp: permission denied" {
		t.Fatalf("mkdir as 101 in a root directory: %v", err)
	}
	if err := nginx.Mkdir("/tmp/mine", 0o700); err != nil {
		t.Fatalf("mkdir as 101 in /tmp: %v", err)
	}
	if err := m.View(0, 0, "/").Mkdir("/var/cache/nginx/client_temp", 0o700); err != nil {
		t.Fatalf("root: %v", err)
	}
	// 0700 of 101: another user may not look inside.
	if _, err := m.View(102, 102, "/").ReadDir("/tmp/mine"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("readdir of another's 0700 directory: %v", err)
	}
}

func TestMemFSPathsStayInside(t *testing.T) {
	t.Parallel()
	m := NewMemFS()
	if err := m.WriteFile("/etc/passwd", []byte("root:x:0:0::/root:/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	v := m.View(0, 0, "/usr/share")
	if err := v.MkdirAll("html", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := v.Symlink("../../../../../etc", "/usr/share/html/up"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../../../../etc/passwd", "/../../etc/passwd", "html/up/passwd"} {
		f, err := v.Open(name)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		b, _ := io.ReadAll(f)
		_ = f.Close()
		if !strings.HasPrefix(string(b), "root:x:0:0") {
			t.Errorf("%s read %q", name, b)
		}
	}
	if _, err := v.Stat("/nope/x"); !errors.Is(err, fs.ErrNotExist) || err.Error() != "stat /nope/x: no such file or directory" {
		t.Errorf("stat of a missing path: %v", err)
	}
	if err := v.Symlink("loop", "/loop"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Stat("/loop"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("a symlink loop: %v", err)
	}
}

func TestMemFSFilesAppendAndFollow(t *testing.T) {
	t.Parallel()
	m := NewMemFS()
	v := m.View(0, 0, "/")
	r, err := v.OpenFile("/log", os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"one\n", "two\n"} {
		w, err := v.OpenFile("/log", os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, line)
		_ = w.Close()
	}
	b, err := io.ReadAll(r)
	if err != nil || string(b) != "one\ntwo\n" {
		t.Fatalf("a reader opened before the writes read %q %v", b, err)
	}
	if err := m.ReadOnly("/log"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.OpenFile("/log", os.O_WRONLY, 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write to a read-only mount: %v", err)
	}
}

func TestMemFSTakesAnImageLayer(t *testing.T) {
	t.Parallel()
	m := NewMemFS()
	layer := fstest.MapFS{
		"usr/share/nginx/html/index.html": {Data: []byte("<h1>Welcome</h1>"), Mode: 0o644},
		"tmp":                             {Mode: fs.ModeDir | fs.ModeSticky | 0o777},
	}
	if err := m.AddFS("/", layer); err != nil {
		t.Fatal(err)
	}
	if b, err := m.ReadFile("/usr/share/nginx/html/index.html"); err != nil || string(b) != "<h1>Welcome</h1>" {
		t.Fatalf("index.html = %q %v", b, err)
	}
	if err := m.View(1000, 1000, "/").Mkdir("/tmp/x", 0o755); err != nil {
		t.Errorf("a world-writable directory of the layer: %v", err)
	}
}
