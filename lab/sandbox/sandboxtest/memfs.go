package sandboxtest

import (
	"io/fs"
	"path"
	"slices"
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

// view is the tree as one process sees it.
type view struct {
	m        *MemFS
	uid, gid int
	dir      string
}

func pathErr(op, name string, errno syscall.Errno) error {
	return &fs.PathError{Op: op, Path: name, Err: errno}
}

func (v *view) Abs(dir, name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	return path.Clean(path.Join("/", dir, name))
}

// may says whether the process may read (4), write (2) or search (1) n.
func (v *view) may(n *node, want fs.FileMode) bool {
	if v.uid == 0 {
		return true
	}
	perm := n.mode.Perm()
	switch {
	case n.uid == v.uid:
		perm >>= 6
	case n.gid == v.gid:
		perm >>= 3
	}
	return perm&want == want
}

// walk finds name, following symlinks (the last one only if follow), and
// returns it with its parent. Called with m.mu held.
func (v *view) walk(op, name string, follow bool) (n, parent *node, err error) {
	return v.walkDepth(op, name, v.Abs(v.dir, name), follow, 0)
}

func (v *view) walkDepth(op, name, abs string, follow bool, depth int) (*node, *node, error) {
	if depth > 40 {
		return nil, nil, pathErr(op, name, syscall.ELOOP)
	}
	cur, parent := v.m.root, (*node)(nil)
	parts := strings.Split(strings.Trim(abs, "/"), "/")
	if abs == "/" {
		parts = nil
	}
	walked := "/"
	for i, part := range parts {
		if !cur.mode.IsDir() {
			return nil, nil, pathErr(op, name, syscall.ENOTDIR)
		}
		if !v.may(cur, 1) {
			return nil, nil, pathErr(op, name, syscall.EACCES)
		}
		next := cur.kids[part]
		if next == nil {
			if i == len(parts)-1 {
				return nil, cur, pathErr(op, name, syscall.ENOENT)
			}
			return nil, nil, pathErr(op, name, syscall.ENOENT)
		}
		last := i == len(parts)-1
		if next.mode&fs.ModeSymlink != 0 && (!last || follow) {
			target := next.target
			if !path.IsAbs(target) {
				target = path.Join(walked, target)
			}
			rest := path.Join(append([]string{target}, parts[i+1:]...)...)
			return v.walkDepth(op, name, path.Clean("/"+rest), follow, depth+1)
		}
		parent, cur = cur, next
		walked = path.Join(walked, part)
	}
	return cur, parent, nil
}

// parentOf finds the directory name would be created in, and its base
// name. Called with m.mu held.
func (v *view) parentOf(op, name string) (*node, string, error) {
	abs := v.Abs(v.dir, name)
	if abs == "/" {
		return nil, "", pathErr(op, name, syscall.EEXIST)
	}
	dir, err := v.resolveDir(op, name, path.Dir(abs))
	if err != nil {
		return nil, "", err
	}
	return dir, path.Base(abs), nil
}

func (v *view) resolveDir(op, name, dir string) (*node, error) {
	d, _, err := v.walkDepth(op, name, dir, true, 0)
	if err != nil {
		return nil, err
	}
	if !d.mode.IsDir() {
		return nil, pathErr(op, name, syscall.ENOTDIR)
	}
	return d, nil
}

// mayChange checks that the process may add or remove entries of dir.
func (v *view) mayChange(op, name string, dir *node) error {
	if dir.readOnly {
		return pathErr(op, name, syscall.EROFS)
	}
	if !v.may(dir, 3) {
		return pathErr(op, name, syscall.EACCES)
	}
	return nil
}

func (v *view) Mkdir(name string, perm fs.FileMode) error {
	return v.m.with(func() error {
		dir, base, err := v.parentOf("mkdir", name)
		if err != nil {
			return err
		}
		if dir.kids[base] != nil {
			return pathErr("mkdir", name, syscall.EEXIST)
		}
		if err := v.mayChange("mkdir", name, dir); err != nil {
			return err
		}
		dir.kids[base] = &node{mode: fs.ModeDir | perm.Perm(), uid: v.uid, gid: v.gid, kids: map[string]*node{}, mtime: v.m.now()}
		dir.mtime = v.m.now()
		return nil
	})
}

func (v *view) MkdirAll(name string, perm fs.FileMode) error {
	abs := v.Abs(v.dir, name)
	cur := "/"
	for _, part := range strings.Split(strings.Trim(abs, "/"), "/") {
		if part == "" {
			continue
		}
		cur = path.Join(cur, part)
		fi, err := v.Stat(cur)
		if err == nil {
			if !fi.IsDir() {
				return pathErr("mkdir", name, syscall.ENOTDIR)
			}
			continue
		}
		if err := v.Mkdir(cur, perm); err != nil && !isErrno(err, syscall.EEXIST) {
			return &fs.PathError{Op: "mkdir", Path: name, Err: err.(*fs.PathError).Err}
		}
	}
	return nil
}

func isErrno(err error, e syscall.Errno) bool {
	pe, ok := err.(*fs.PathError)
	return ok && pe.Err == e
}

func (v *view) Stat(name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := v.m.with(func() error {
		n, _, err := v.walk("stat", name, true)
		if err == nil {
			fi = n.info(path.Base(v.Abs(v.dir, name)))
		}
		return err
	})
	return fi, err
}

func (v *view) Lstat(name string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := v.m.with(func() error {
		n, _, err := v.walk("lstat", name, false)
		if err == nil {
			fi = n.info(path.Base(v.Abs(v.dir, name)))
		}
		return err
	})
	return fi, err
}

func (v *view) ReadDir(name string) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	err := v.m.with(func() error {
		n, _, err := v.walk("open", name, true)
		if err != nil {
			return err
		}
		if !n.mode.IsDir() {
			return pathErr("readdirent", name, syscall.ENOTDIR)
		}
		if !v.may(n, 4) {
			return pathErr("open", name, syscall.EACCES)
		}
		out = n.entries()
		return nil
	})
	return out, err
}

func (n *node) entries() []fs.DirEntry {
	names := make([]string, 0, len(n.kids))
	for k := range n.kids {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]fs.DirEntry, len(names))
	for i, k := range names {
		out[i] = fs.FileInfoToDirEntry(n.kids[k].info(k))
	}
	return out
}

func (v *view) Remove(name string) error {
	return v.m.with(func() error {
		n, parent, err := v.walk("remove", name, false)
		if err != nil {
			return err
		}
		if parent == nil {
			return pathErr("remove", name, syscall.EBUSY)
		}
		if n.mode.IsDir() && len(n.kids) > 0 {
			return pathErr("remove", name, syscall.ENOTEMPTY)
		}
		if err := v.mayChange("remove", name, parent); err != nil {
			return err
		}
		delete(parent.kids, path.Base(v.Abs(v.dir, name)))
		return nil
	})
}

func (v *view) RemoveAll(name string) error {
	abs := v.Abs(v.dir, name)
	fi, err := v.Lstat(abs)
	if err != nil {
		if isErrno(err, syscall.ENOENT) {
			return nil
		}
		return err
	}
	if fi.IsDir() {
		entries, err := v.ReadDir(abs)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := v.RemoveAll(path.Join(abs, e.Name())); err != nil {
				return err
			}
		}
	}
	return v.Remove(abs)
}

func (v *view) Rename(oldname, newname string) error {
	return v.m.with(func() error {
		n, from, err := v.walk("rename", oldname, false)
		if err != nil {
			return err
		}
		to, base, err := v.parentOf("rename", newname)
		if err != nil {
			return err
		}
		if err := v.mayChange("rename", oldname, from); err != nil {
			return err
		}
		if err := v.mayChange("rename", newname, to); err != nil {
			return err
		}
		if old := to.kids[base]; old != nil && old.mode.IsDir() && len(old.kids) > 0 {
			return pathErr("rename", newname, syscall.ENOTEMPTY)
		}
		delete(from.kids, path.Base(v.Abs(v.dir, oldname)))
		to.kids[base] = n
		return nil
	})
}

func (v *view) Symlink(target, name string) error {
	return v.m.with(func() error {
		dir, base, err := v.parentOf("symlink", name)
		if err != nil {
			return err
		}
		if dir.kids[base] != nil {
			return pathErr("symlink", name, syscall.EEXIST)
		}
		if err := v.mayChange("symlink", name, dir); err != nil {
			return err
		}
		dir.kids[base] = &node{mode: fs.ModeSymlink | 0o777, uid: v.uid, gid: v.gid, target: target, mtime: v.m.now()}
		return nil
	})
}

func (v *view) Readlink(name string) (string, error) {
	var target string
	err := v.m.with(func() error {
		n, _, err := v.walk("readlink", name, false)
		if err != nil {
			return err
		}
		if n.mode&fs.ModeSymlink == 0 {
			return pathErr("readlink", name, syscall.EINVAL)
		}
		target = n.target
		return nil
	})
	return target, err
}

func (v *view) Chtimes(name string, _, mtime time.Time) error {
	return v.m.with(func() error {
		n, _, err := v.walk("chtimes", name, true)
		if err != nil {
			return err
		}
		if n.readOnly {
			return pathErr("chtimes", name, syscall.EROFS)
		}
		if v.uid != 0 && n.uid != v.uid && !v.may(n, 2) {
			return pathErr("chtimes", name, syscall.EPERM)
		}
		n.mtime = mtime
		return nil
	})
}

// readFS is a view as an fs.FS (relative names from "/").
type readFS struct{ v *view }

func (r readFS) Open(name string) (fs.File, error) { return r.v.Open("/" + name) }
