package inmem

import (
	"io/fs"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// MemFS is a container's file tree in memory, with owners and permission
// bits. Its own methods act as root in "/"; View gives the tree as a
// process of another user, in another working directory, sees it (the
// kernel's permission checks: a non-root user cannot create a file in a
// directory it may not write).
type MemFS struct {
	mu   sync.Mutex
	root *node
	now  func() time.Time
}

// node is a file, a directory or a symlink.
type node struct {
	mode     fs.FileMode // type and permission bits
	uid, gid int
	data     []byte
	kids     map[string]*node
	target   string // a symlink's
	mtime    time.Time
	readOnly bool // a read-only mount (a ConfigMap volume)
}

// NewMemFS is an empty tree: "/" owned by root, 0755.
func NewMemFS() *MemFS {
	return &MemFS{root: &node{mode: fs.ModeDir | 0o755, kids: map[string]*node{}, mtime: time.Now()}, now: time.Now}
}

// View is the tree as a process of uid:gid with working directory dir sees it.
func (m *MemFS) View(uid, gid int, dir string) sandbox.FS {
	return &view{m: m, uid: uid, gid: gid, dir: path.Clean("/" + dir)}
}

func (m *MemFS) asRoot() *view { return &view{m: m, dir: "/"} }

// WriteFile writes data to name as root, making its parents (0755).
func (m *MemFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	v := m.asRoot()
	if err := v.MkdirAll(path.Dir(path.Clean("/"+name)), 0o755); err != nil {
		return err
	}
	f, err := v.OpenFile(name, syscall.O_CREAT|syscall.O_TRUNC|syscall.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}

// ReadFile reads name as root.
func (m *MemFS) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(readFS{m.asRoot()}, strings.TrimPrefix(path.Clean("/"+name), "/"))
}

// MkdirAll makes a directory and its parents as root.
func (m *MemFS) MkdirAll(name string, perm fs.FileMode) error { return m.asRoot().MkdirAll(name, perm) }

// Chown gives name (not following a last symlink) to uid:gid.
func (m *MemFS) Chown(name string, uid, gid int) error {
	return m.with(func() error {
		n, _, err := m.asRoot().walk("chown", name, false)
		if err == nil {
			n.uid, n.gid = uid, gid
		}
		return err
	})
}

// ReadOnly makes the tree under name a read-only mount (as a ConfigMap or
// Secret volume is): writes fail with EROFS.
func (m *MemFS) ReadOnly(name string) error {
	return m.with(func() error {
		n, _, err := m.asRoot().walk("mount", name, true)
		if err == nil {
			markReadOnly(n)
		}
		return err
	})
}

func markReadOnly(n *node) {
	n.readOnly = true
	for _, k := range n.kids {
		markReadOnly(k)
	}
}

// AddFS copies every file, directory and symlink of src under dir, as
// root (an image's layer: sandbox programs' Files).
func (m *MemFS) AddFS(dir string, src fs.FS) error {
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := path.Join("/", dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := m.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			return m.with(func() error {
				n, _, err := m.asRoot().walk("chmod", dst, true)
				if err == nil {
					n.mode = fs.ModeDir | info.Mode().Perm() | info.Mode()&fs.ModeSticky
				}
				return err
			})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(src, p)
			if err != nil {
				return err
			}
			if err := m.MkdirAll(path.Dir(dst), 0o755); err != nil {
				return err
			}
			return m.asRoot().Symlink(target, dst)
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return m.WriteFile(dst, data, info.Mode().Perm())
	})
}

func (m *MemFS) with(f func() error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return f()
}
