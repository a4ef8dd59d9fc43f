package inmem

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"syscall"
	"time"
)

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
