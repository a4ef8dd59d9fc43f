package vfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// View is the tree as one process sees it: as its user, from its working
// directory, with its standard streams behind /dev/stdout and the like. It
// implements sandbox.FS. A View is a small value: derive others freely.
type View struct {
	t     *Tree
	cred  Cred
	pid   int
	dir   string
	stdio *Stdio
}

var _ sandbox.FS = (*View)(nil)

// View returns the tree as process pid of user c sees it from dir.
func (t *Tree) View(pid int, c Cred, dir string, stdio Stdio) *View {
	if dir == "" || dir[0] != '/' {
		dir = "/"
	}
	return &View{t: t, cred: c, pid: pid, dir: path.Clean(dir), stdio: &stdio}
}

// WithStdio returns the view with other standard streams (a shell's
// redirections).
func (v *View) WithStdio(in io.Reader, out, errw io.Writer) *View {
	c := *v
	c.stdio = &Stdio{In: in, Out: out, Err: errw}
	return &c
}

// WithDir returns the view from another working directory.
func (v *View) WithDir(dir string) *View {
	c := *v
	c.dir = v.Abs(v.dir, dir)
	return &c
}

// Dir is the view's working directory.
func (v *View) Dir() string { return v.dir }

// Cred is the view's user.
func (v *View) Cred() Cred { return v.cred }

// Tree is the tree the view looks at.
func (v *View) Tree() *Tree { return v.t }

// Abs makes name absolute against dir and cleans it.
func (v *View) Abs(dir, name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	return path.Join("/", dir, name)
}

func (v *View) opener() *opener { return &opener{cred: v.cred, pid: v.pid, stdio: v.stdio} }

func (v *View) resolve(name string, follow bool) (loc, error) {
	return v.t.resolve(v.cred, v.pid, v.dir, name, follow)
}

func pathErr(op, name string, err error) error {
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Open opens name for reading.
func (v *View) Open(name string) (fs.File, error) { return v.OpenFile(name, oRdonly, 0) }

// OpenFile opens name as os.OpenFile does.
func (v *View) OpenFile(name string, flag int, perm fs.FileMode) (sandbox.File, error) {
	l, err := v.resolve(name, true)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if l.i == nil {
		switch {
		case flag&oCreate == 0:
			return nil, pathErr("open", name, errNotExist)
		case l.m.ro:
			return nil, pathErr("open", name, errReadOnly)
		case !v.cred.can(l.parent, accW|accX):
			return nil, pathErr("open", name, errAccess)
		}
	} else {
		want := 0
		if readable(flag) {
			want |= accR
		}
		if writable(flag) || flag&oTrunc != 0 {
			want |= accW
		}
		switch {
		case flag&oCreate != 0 && flag&oExcl != 0:
			return nil, pathErr("open", name, errExist)
		case l.i.IsDir() && want&accW != 0:
			return nil, pathErr("open", name, errIsDir)
		case want&accW != 0 && l.m.ro && l.i.mode&fs.ModeDevice == 0:
			return nil, pathErr("open", name, errReadOnly)
		case !v.cred.can(l.i, want):
			return nil, pathErr("open", name, errAccess)
		}
	}
	h, err := l.m.b.open(l.rel, flag, perm, v.opener())
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	return &file{h: h, v: v, path: l.path}, nil
}

// Stat returns name's info, following symbolic links.
func (v *View) Stat(name string) (fs.FileInfo, error) {
	l, err := v.resolve(name, true)
	if err == nil && l.i == nil {
		err = errNotExist
	}
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return l.i, nil
}

// Lstat returns name's info without following a last symbolic link.
func (v *View) Lstat(name string) (fs.FileInfo, error) {
	l, err := v.resolve(name, false)
	if err == nil && l.i == nil {
		err = errNotExist
	}
	if err != nil {
		return nil, pathErr("lstat", name, err)
	}
	return l.i, nil
}

// ReadDir lists a directory, sorted by name.
func (v *View) ReadDir(name string) ([]fs.DirEntry, error) {
	l, err := v.resolve(name, true)
	switch {
	case err != nil:
	case l.i == nil:
		err = errNotExist
	case !l.i.IsDir():
		err = errNotDir
	case !v.cred.can(l.i, accR):
		err = errAccess
	}
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	infos, err := l.m.b.readDir(l.rel)
	if err != nil {
		return nil, pathErr("readdirent", name, err)
	}
	return entries(v.t.overMounts(l.path, infos)), nil
}

// overMounts shows the root of what is mounted on an entry of dir.
func (t *Tree) overMounts(dir string, infos []*info) []*info {
	for k, i := range infos {
		p := path.Join(dir, i.name)
		if t.isMountPoint(p) {
			m := t.mountFor(p)
			if mi, err := m.b.lstat(m.base); err == nil {
				infos[k] = mi.renamed(i.name)
			}
		}
	}
	return infos
}

// create checks that name can be made; it returns where.
func (v *View) create(op, name string) (loc, error) {
	l, err := v.resolve(name, false)
	switch {
	case err != nil:
	case l.i != nil:
		err = errExist
	case l.m.ro:
		err = errReadOnly
	case !v.cred.can(l.parent, accW|accX):
		err = errAccess
	}
	return l, pathErr(op, name, err)
}

// Mkdir makes a directory.
func (v *View) Mkdir(name string, perm fs.FileMode) error {
	l, err := v.create("mkdir", name)
	if err != nil {
		return err
	}
	return pathErr("mkdir", name, l.m.b.mkdir(l.rel, perm, v.opener()))
}

// MkdirAll makes a directory and its missing parents.
func (v *View) MkdirAll(name string, perm fs.FileMode) error {
	p := v.Abs(v.dir, name)
	if fi, err := v.Stat(p); err == nil {
		if fi.IsDir() {
			return nil
		}
		return pathErr("mkdir", name, errNotDir)
	}
	if parent := path.Dir(p); parent != p {
		if err := v.MkdirAll(parent, perm); err != nil {
			return err
		}
	}
	err := v.Mkdir(p, perm)
	if errors.Is(err, fs.ErrExist) {
		if fi, serr := v.Stat(p); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return err
}

// Symlink makes name a symbolic link to target.
func (v *View) Symlink(target, name string) error {
	l, err := v.create("symlink", name)
	if err != nil {
		return &fs.PathError{Op: "symlink", Path: name, Err: errors.Unwrap(err)}
	}
	return pathErr("symlink", name, l.m.b.symlink(target, l.rel, v.opener()))
}

// Readlink returns a symbolic link's target.
func (v *View) Readlink(name string) (string, error) {
	l, err := v.resolve(name, false)
	if err == nil && l.i == nil {
		err = errNotExist
	}
	if err != nil {
		return "", pathErr("readlink", name, err)
	}
	t, err := v.t.readlinkIn(l.m, l.rel, v.pid)
	return t, pathErr("readlink", name, err)
}

// removable checks that name may be removed or renamed away.
func (v *View) removable(op, name string) (loc, error) {
	l, err := v.resolve(name, false)
	switch {
	case err != nil:
	case l.i == nil:
		err = errNotExist
	case v.t.isMountPoint(l.path) || l.path == "/":
		err = errBusy
	case l.m.ro:
		err = errReadOnly
	case !v.cred.mayDelete(l.parent, l.i):
		err = errAccess
	}
	return l, pathErr(op, name, err)
}

// Remove removes a file or an empty directory.
func (v *View) Remove(name string) error {
	l, err := v.removable("remove", name)
	if err != nil {
		return err
	}
	return pathErr("remove", name, l.m.b.remove(l.rel))
}

// RemoveAll removes name and all it holds; a missing name is no error.
func (v *View) RemoveAll(name string) error {
	fi, err := v.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		des, err := v.ReadDir(name)
		if err != nil {
			return err
		}
		for _, de := range des {
			if err := v.RemoveAll(path.Join(v.Abs(v.dir, name), de.Name())); err != nil {
				return err
			}
		}
	}
	return v.Remove(name)
}

// Rename renames oldname to newname, replacing it; across mounts EXDEV.
func (v *View) Rename(oldname, newname string) error {
	ol, err := v.removable("rename", oldname)
	if err != nil {
		return err
	}
	nl, err := v.resolve(newname, false)
	switch {
	case err != nil:
	case nl.m != ol.m:
		err = errCrossDev
	case nl.i != nil && v.t.isMountPoint(nl.path):
		err = errBusy
	case nl.i != nil && !v.cred.mayDelete(nl.parent, nl.i):
		err = errAccess
	case !v.cred.can(nl.parent, accW|accX):
		err = errAccess
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	if err := ol.m.b.rename(ol.rel, nl.rel); err != nil {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	return nil
}
