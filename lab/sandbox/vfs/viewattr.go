package vfs

import (
	"io/fs"
	"time"
)

// attr checks that name's attributes may change; owner says only its owner
// (or root) may.
func (v *View) attr(op, name string, owner bool) (loc, error) {
	l, err := v.resolve(name, true)
	switch {
	case err != nil:
	case l.i == nil:
		err = errNotExist
	case l.m.ro:
		err = errReadOnly
	case owner && !v.cred.owns(l.i):
		err = errPerm
	}
	return l, pathErr(op, name, err)
}

// Chtimes sets name's access and modification times (zero: unchanged).
func (v *View) Chtimes(name string, atime, mtime time.Time) error {
	l, err := v.attr("utimes", name, false)
	if err != nil {
		return err
	}
	if !v.cred.owns(l.i) && !v.cred.can(l.i, accW) {
		return pathErr("utimes", name, errAccess)
	}
	return pathErr("utimes", name, l.m.b.chtimes(l.rel, atime, mtime))
}

// Chmod sets name's mode bits; only its owner or root may.
func (v *View) Chmod(name string, mode fs.FileMode) error {
	l, err := v.attr("chmod", name, true)
	if err != nil {
		return err
	}
	return pathErr("chmod", name, l.m.b.chmod(l.rel, mode))
}

// Chown sets name's owner (-1 leaves one unchanged); only root may.
func (v *View) Chown(name string, uid, gid int) error {
	l, err := v.attr("chown", name, false)
	if err == nil && v.cred.UID != 0 {
		err = pathErr("chown", name, errPerm)
	}
	if err != nil {
		return err
	}
	return pathErr("chown", name, l.m.b.chown(l.rel, uid, gid))
}

// Access reports whether the view's user may read (4), write (2) or
// execute (1) name, as access(2): nil where it may.
func (v *View) Access(name string, mode int) error {
	l, err := v.resolve(name, true)
	switch {
	case err != nil:
	case l.i == nil:
		err = errNotExist
	case mode&accW != 0 && l.m.ro:
		err = errReadOnly
	case !v.cred.can(l.i, mode):
		err = errAccess
	}
	return pathErr("access", name, err)
}

// RealPath returns name's absolute path without symbolic links.
func (v *View) RealPath(name string) (string, error) {
	l, err := v.resolve(name, true)
	if err == nil && l.i == nil {
		err = errNotExist
	}
	if err != nil {
		return "", pathErr("realpath", name, err)
	}
	return l.path, nil
}

// Statfs returns the mount that holds name (df).
func (v *View) Statfs(name string) (MountInfo, error) {
	l, err := v.resolve(name, true)
	if err == nil && l.i == nil {
		err = errNotExist
	}
	if err != nil {
		return MountInfo{}, pathErr("statfs", name, err)
	}
	used, limit := l.m.b.usage()
	return MountInfo{Source: l.m.source, Path: l.m.path, Type: l.m.kind, ReadOnly: l.m.ro, Used: used, Limit: limit}, nil
}

// Mounts lists the container's mounts, "/" first.
func (v *View) Mounts() []MountInfo { return v.t.Mounts() }
