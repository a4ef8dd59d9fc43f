package vfs_test

import (
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// FuzzResolve throws names at a container's tree: none may panic, read the
// host's secret beside the volume, or make or change anything on the host
// outside the volume's directory. The seeds in testdata/fuzz run as a
// normal test.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"../../../../etc/shadow", "/proc/self/root/../../etc/passwd", "/data/up", "/data/abs",
		"/data/hostdir/secret", "/data/x/data/x/data/up", "//data/../data/./up/..", "/data/..",
		"/proc/self/cwd/../../data/hostdir", "/dev/fd/../../proc/1/root", "a/b/../../../c",
	} {
		f.Add(s)
	}
	fx := newFixture(f, vfs.Config{})
	root := fx.view(0)
	root.Symlink("/", "/data/x")
	root.Symlink("../../../../..", "/data/deep")
	user := fx.view(1000)
	before := hostListing(f, fx.host)
	f.Fuzz(func(t *testing.T, name string) {
		for _, v := range []*vfs.View{root, user, root.WithDir("/data"), user.WithDir("/proc/self")} {
			if fl, err := v.Open(name); err == nil {
				b, _ := io.ReadAll(io.LimitReader(fl, 1<<16))
				fl.Close()
				if strings.Contains(string(b), hostSecret) {
					t.Fatalf("%q read the host's secret", name)
				}
			}
			if p, err := v.RealPath(name); err == nil && (!path.IsAbs(p) || path.Clean(p) != p) {
				t.Fatalf("RealPath(%q) = %q, not a clean absolute path", name, p)
			}
			v.Stat(name)
			v.Lstat(name)
			v.ReadDir(name)
			if fl, err := v.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644); err == nil {
				io.WriteString(fl, "fuzz")
				fl.Close()
			}
			v.Mkdir(name+"d", 0o755)
			v.Symlink("/", name+"l")
		}
		if after := hostListing(t, fx.host); !slices.Equal(before, after) {
			t.Fatalf("%q changed the host outside the volume: %v -> %v", name, before, after)
		}
		if b, _ := os.ReadFile(filepath.Join(fx.host, "secret")); string(b) != hostSecret {
			t.Fatalf("%q changed the host's file", name)
		}
	})
}

// hostListing lists the host directory that holds the volume, without
// entering the volume.
func hostListing(t testing.TB, dir string) []string {
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}
