package vfs_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// hostSecret is written outside every volume: no path may ever read it.
const hostSecret = "HOST-SECRET-must-never-be-read"

func image() fstest.MapFS {
	return fstest.MapFS{
		"etc":                  {Mode: fs.ModeDir | 0o755},
		"etc/passwd":           {Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"), Mode: 0o644},
		"etc/hostname":         {Data: []byte("image-hostname\n"), Mode: 0o644},
		"etc/shadow":           {Data: []byte("root:*:19000:0:99999:7:::\n"), Mode: 0o640},
		"bin":                  {Mode: fs.ModeDir | 0o755},
		"bin/sh":               {Data: []byte("\x7fELF"), Mode: 0o755},
		"tmp":                  {Mode: fs.ModeDir | fs.ModeSticky | 0o777},
		"root":                 {Mode: fs.ModeDir | 0o700},
		"home":                 {Mode: fs.ModeDir | 0o755},
		"home/app":             {Mode: fs.ModeDir | 0o755, Sys: &sandbox.Stat{UID: 1000, GID: 1000}},
		"usr/share/doc":        {Mode: fs.ModeDir | 0o755},
		"usr/share/doc/readme": {Data: []byte("docs\n"), Mode: 0o644},
		"var/lib":              {Mode: fs.ModeDir | 0o755},
		"etc/link":             {Data: []byte("/etc/hostname"), Mode: fs.ModeSymlink | 0o777},
	}
}

// fixture is a tree with a volume on a host directory at /data, beside a
// host file no path may reach.
type fixture struct {
	t    *vfs.Tree
	host string // the host directory that holds the volume's directory
	vol  *vfs.Volume
}

func newFixture(t testing.TB, cfg vfs.Config) *fixture {
	t.Helper()
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "secret"), []byte(hostSecret), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(host, "vol")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Links made on the host side, pointing out of the volume.
	os.Symlink("../secret", filepath.Join(dir, "up"))
	os.Symlink(filepath.Join(host, "secret"), filepath.Join(dir, "abs"))
	os.Symlink(host, filepath.Join(dir, "hostdir"))
	vol, err := vfs.OpenVolume(dir, vfs.RootMode(0o777))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { vol.Close() })
	if cfg.Image == nil {
		cfg.Image = []fs.FS{image()}
	}
	if cfg.Kernel == nil {
		cfg.Kernel = testKernel{}
	}
	cfg.Mounts = append(cfg.Mounts, vfs.Mount{Path: "/data", Volume: vol})
	tree, err := vfs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: tree, host: host, vol: vol}
}

func (f *fixture) view(uid int) *vfs.View {
	return f.t.View(7, vfs.Cred{UID: uid, GID: uid, Umask: 0o022}, "/", vfs.Stdio{})
}

func read(v *vfs.View, name string) (string, error) {
	fl, err := v.Open(name)
	if err != nil {
		return "", err
	}
	defer fl.Close()
	b, err := io.ReadAll(fl)
	return string(b), err
}

func write(v *vfs.View, name, data string, flag int) error {
	fl, err := v.OpenFile(name, os.O_WRONLY|os.O_CREATE|flag, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(fl, data)
	if cerr := fl.Close(); err == nil {
		err = cerr
	}
	return err
}

func TestReadsResolveInsideTheContainer(t *testing.T) {
	t.Parallel()
	f := newFixture(t, vfs.Config{})
	root := f.view(0)
	if err := root.Symlink("/", "/tmp/toroot"); err != nil {
		t.Fatal(err)
	}
	if err := root.Symlink("/", "/data/x"); err != nil {
		t.Fatal(err)
	}
	if err := root.Symlink("../../../../../../etc", "/data/rel"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
		err              syscall.Errno
	}{
		{"image file", "/etc/passwd", "root:x:0:0:root:/root:/bin/sh", 0},
		{"dot dots above root", "../../../../etc/hostname", "image-hostname", 0},
		{"missing file above root", "/tmp/../../../../etc/nothere", "", syscall.ENOENT},
		{"link to / in the writable layer", "/tmp/toroot/etc/hostname", "image-hostname", 0},
		{"link to / in a volume", "/data/x/etc/hostname", "image-hostname", 0},
		{"relative link out of a volume", "/data/rel/hostname", "image-hostname", 0},
		{"a volume's parent", "/data/../etc/hostname", "image-hostname", 0},
		{"host link to ../secret", "/data/up", "", syscall.ENOENT},
		{"host link to the secret's absolute path", "/data/abs", "", syscall.ENOENT},
		{"host link to the host directory", "/data/hostdir/secret", "", syscall.ENOENT},
		{"proc self root", "/proc/self/root/etc/hostname", "image-hostname", 0},
		{"proc 1 root", "/proc/1/root/etc/hostname", "image-hostname", 0},
		{"proc of no process", "/proc/99/root/etc/hostname", "", syscall.ENOENT},
		{"proc self cwd", "/proc/self/cwd/passwd", "root:x:0:0", 0},
		{"image symlink", "/etc/link", "image-hostname", 0},
		{"dev null", "/dev/null", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := read(root, tt.path)
			if strings.Contains(got, hostSecret) {
				t.Fatalf("read %s: got the host's secret", tt.path)
			}
			if tt.err != 0 {
				if !errors.Is(err, tt.err) {
					t.Fatalf("read %s: err %v, want %v", tt.path, err, tt.err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(got, tt.want) {
				t.Fatalf("read %s = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		})
	}
}

func TestWritesStayInTheContainer(t *testing.T) {
	t.Parallel()
	img := image()
	f := newFixture(t, vfs.Config{Image: []fs.FS{img}})
	root := f.view(0)
	if err := write(root, "/etc/hostname", "changed\n", os.O_TRUNC); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(root, "/etc/hostname"); got != "changed\n" {
		t.Errorf("after a write /etc/hostname = %q", got)
	}
	if string(img["etc/hostname"].Data) != "image-hostname\n" {
		t.Errorf("the image's layer changed: %q", img["etc/hostname"].Data)
	}
	if err := root.Remove("/etc/passwd"); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Stat("/etc/passwd"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a removed image file is still there: %v", err)
	}
	des, _ := root.ReadDir("/etc")
	for _, de := range des {
		if de.Name() == "passwd" {
			t.Errorf("ls /etc still lists the removed passwd")
		}
	}
	if err := write(root, "/data/../../../../secret", "x", 0); err != nil {
		t.Fatal(err) // makes /secret in the container
	}
	if b, _ := os.ReadFile(filepath.Join(f.host, "secret")); string(b) != hostSecret {
		t.Errorf("the host's file changed: %q", b)
	}
	if err := write(root, "/data/up", "x", 0); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Logf("write through a dangling link: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(f.host, "secret")); string(b) != hostSecret {
		t.Errorf("a write through the volume's link changed the host's file: %q", b)
	}
	if err := root.Rename("/usr/share", "/usr/moved"); !errors.Is(err, syscall.EXDEV) {
		t.Errorf("rename of an image directory: %v, want EXDEV", err)
	}
	if err := root.Rename("/data/x", "/etc/x"); err == nil || !errors.Is(err, syscall.EXDEV) && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("rename across mounts: %v, want EXDEV", err)
	}
	if err := root.Remove("/data"); !errors.Is(err, syscall.EBUSY) {
		t.Errorf("remove of a mount point: %v, want EBUSY", err)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, vfs.Config{})
	user := f.view(1000)
	tests := []struct {
		name string
		do   func() error
		want syscall.Errno
	}{
		{"write in a root-owned 0755 directory", func() error { return write(user, "/etc/new", "x", 0) }, syscall.EACCES},
		{"mkdir in /", func() error { return user.Mkdir("/x", 0o755) }, syscall.EACCES},
		{"read a 0640 root file", func() error { _, err := read(user, "/etc/shadow"); return err }, syscall.EACCES},
		{"list a 0700 directory", func() error { _, err := user.ReadDir("/root"); return err }, syscall.EACCES},
		{"chmod another's file", func() error { return user.Chmod("/etc/passwd", 0o777) }, syscall.EPERM},
		{"chown", func() error { return user.Chown("/home/app", 1000, 1000) }, syscall.EPERM},
		{"write in /tmp", func() error { return write(user, "/tmp/mine", "x", 0) }, 0},
		{"write in the 0777 volume", func() error { return write(user, "/data/mine", "x", 0) }, 0},
		{"write in its own home", func() error { return write(user, "/home/app/f", "x", 0) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.want == 0 && err != nil || tt.want != 0 && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if err := write(f.view(0), "/tmp/roots", "x", 0); err != nil {
		t.Fatal(err)
	}
	if err := user.Remove("/tmp/roots"); !errors.Is(err, syscall.EACCES) {
		t.Errorf("removing root's file from sticky /tmp: %v, want EACCES", err)
	}
	fi, err := user.Stat("/data/mine")
	if err != nil || sandbox.StatOf(fi).UID != 1000 {
		t.Errorf("owner of a file the user made in the volume: %v %+v", err, fi)
	}
}

func TestReadOnlyRootKeepsVolumesWritable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, vfs.Config{ReadOnlyRoot: true})
	root := f.view(0)
	if err := write(root, "/tmp/x", "x", 0); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write to / : %v, want EROFS", err)
	}
	if err := write(root, "/data/x", "x", 0); err != nil {
		t.Errorf("write to the volume: %v", err)
	}
	if err := write(root, "/dev/null", "x", 0); err != nil {
		t.Errorf("write to /dev/null: %v", err)
	}
}

func TestVolumesAreShared(t *testing.T) {
	t.Parallel()
	mem, err := vfs.NewMemVolume(vfs.RootMode(0o777))
	if err != nil {
		t.Fatal(err)
	}
	mk := func() *vfs.View {
		tree, err := vfs.New(vfs.Config{Image: []fs.FS{image()}, Mounts: []vfs.Mount{{Path: "/shared", Volume: mem}}})
		if err != nil {
			t.Fatal(err)
		}
		return tree.View(1, vfs.Cred{Umask: 0o022}, "/", vfs.Stdio{})
	}
	a, b := mk(), mk()
	if err := write(a, "/shared/log", "from a\n", 0); err != nil {
		t.Fatal(err)
	}
	if got, err := read(b, "/shared/log"); got != "from a\n" {
		t.Errorf("the other container reads %q, %v", got, err)
	}
	if got, _ := mem.ReadFile("log"); string(got) != "from a\n" {
		t.Errorf("the kubelet reads %q", got)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, vfs.Config{UpperLimit: 1 << 20})
	root := f.view(0)
	err := write(root, "/tmp/big", strings.Repeat("y\n", 1<<20), 0)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("writing 2 MiB in a 1 MiB layer: %v, want ENOSPC", err)
	}
	if err := root.Remove("/tmp/big"); err != nil {
		t.Fatal(err)
	}
	if err := write(root, "/tmp/small", "ok", 0); err != nil {
		t.Errorf("after freeing the layer: %v", err)
	}
	if err := root.Symlink("loop2", "/tmp/loop1"); err != nil {
		t.Fatal(err)
	}
	root.Symlink("loop1", "/tmp/loop2")
	if _, err := read(root, "/tmp/loop1"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("a link loop: %v, want ELOOP", err)
	}
}

func TestStdioThroughDev(t *testing.T) {
	t.Parallel()
	f := newFixture(t, vfs.Config{})
	var out, errb bytes.Buffer
	v := f.t.View(7, vfs.Cred{}, "/", vfs.Stdio{In: strings.NewReader("input"), Out: &out, Err: &errb})
	if err := write(v, "/dev/stdout", "to stdout", 0); err != nil {
		t.Fatal(err)
	}
	if err := write(v, "/dev/stderr", "to stderr", 0); err != nil {
		t.Fatal(err)
	}
	if got, err := read(v, "/dev/stdin"); got != "input" || err != nil {
		t.Errorf("/dev/stdin = %q, %v", got, err)
	}
	if out.String() != "to stdout" || errb.String() != "to stderr" {
		t.Errorf("stdout %q, stderr %q", out.String(), errb.String())
	}
}

type testKernel struct{}

func (testKernel) Procs() []vfs.ProcInfo {
	return []vfs.ProcInfo{
		{PID: 1, Args: []string{"sleep", "3600"}, Dir: "/", Exe: "/bin/sleep"},
		{PID: 7, PPID: 1, Args: []string{"sh"}, Dir: "/etc", Exe: "/bin/sh"},
	}
}

func (testKernel) Info() vfs.KernelInfo { return vfs.KernelInfo{Hostname: "pod", MemTotal: 1 << 30} }
