package vfs

import (
	"errors"
	"hash/fnv"
	"io/fs"
	"time"
)

// overlay is a container's root: the image's read-only layers (top first)
// under a writable layer in memory, as overlayfs stacks them. A file of the
// image is copied up to the writable layer when it is first changed; a
// removed one is hidden by a whiteout; a directory made over a whiteout is
// opaque. Renaming a directory of the image fails with EXDEV (overlayfs
// without redirect_dir; mv then copies), as on a node.
type overlay struct {
	upper  *memTree
	lowers []fs.FS
}

// upperState walks rel in the writable layer: its node, if it has one, and
// whether a whiteout, an opaque directory or a file hides the image's rel.
func (o *overlay) upperState(rel string) (n *memNode, hidden bool) {
	n = o.upper.root
	comps := split(rel)
	for k, c := range comps {
		if !n.mode.IsDir() {
			return nil, true
		}
		next, ok := n.kids[c]
		if !ok {
			return nil, n.opaque || hidden
		}
		if next.whiteout {
			return nil, true
		}
		if n.opaque && k < len(comps) {
			hidden = true
		}
		n = next
	}
	return n, hidden
}

// lowerPath names rel in an fs.FS.
func lowerPath(rel string) string { return rel }

// lowerLstat finds rel in the image's layers.
func (o *overlay) lowerLstat(rel string) (*info, int, error) {
	for k, l := range o.lowers {
		fi, err := fs.Lstat(l, lowerPath(rel))
		if err == nil {
			return o.lowerInfo(baseName(rel), rel, k, fi), k, nil
		}
	}
	return nil, -1, errNotExist
}

func (o *overlay) lowerInfo(name, rel string, layer int, fi fs.FileInfo) *info {
	i := &info{name: name, size: fi.Size(), mode: fi.Mode(), mtime: fi.ModTime()}
	if i.mtime.IsZero() {
		i.mtime = epoch
	}
	if ow, ok := fi.Sys().(interface{ Owner() (int, int) }); ok {
		i.stat.UID, i.stat.GID = ow.Owner()
	}
	h := fnv.New64a()
	h.Write([]byte{byte(layer)})
	h.Write([]byte(rel))
	i.stat.Ino = h.Sum64()%1_000_000 + 100
	i.stat.Dev = o.upper.dev
	i.stat.Nlink = 1
	if i.mode.IsDir() {
		i.size, i.stat.Nlink = 4096, 2
	}
	i.stat.Atime, i.stat.Ctime = i.mtime, i.mtime
	return i
}

func (o *overlay) lstat(rel string) (*info, error) {
	o.upper.mu.RLock()
	n, hidden := o.upperState(rel)
	if n != nil {
		defer o.upper.mu.RUnlock()
		return o.upper.infoOf(baseName(rel), n), nil
	}
	o.upper.mu.RUnlock()
	if hidden {
		return nil, errNotExist
	}
	i, _, err := o.lowerLstat(rel)
	return i, err
}

func (o *overlay) readlink(rel string) (string, error) {
	o.upper.mu.RLock()
	n, hidden := o.upperState(rel)
	o.upper.mu.RUnlock()
	if n != nil || hidden {
		return o.upper.readlink(rel)
	}
	for _, l := range o.lowers {
		if fi, err := fs.Lstat(l, lowerPath(rel)); err == nil {
			if fi.Mode()&fs.ModeSymlink == 0 {
				return "", errInvalid
			}
			t, err := fs.ReadLink(l, lowerPath(rel))
			if err != nil {
				return "", errInvalid
			}
			return t, nil
		}
	}
	return "", errNotExist
}

func (o *overlay) readDir(rel string) ([]*info, error) {
	i, err := o.lstat(rel)
	if err != nil {
		return nil, err
	}
	if !i.IsDir() {
		return nil, errNotDir
	}
	merged := map[string]*info{}
	o.upper.mu.RLock()
	n, _ := o.upperState(rel)
	opaque := n != nil && n.opaque
	o.upper.mu.RUnlock()
	if !opaque {
		for k := len(o.lowers) - 1; k >= 0; k-- {
			des, err := fs.ReadDir(o.lowers[k], lowerPath(rel))
			if err != nil {
				continue
			}
			for _, de := range des {
				fi, err := de.Info()
				if err != nil {
					continue
				}
				merged[de.Name()] = o.lowerInfo(de.Name(), join(rel, de.Name()), k, fi)
			}
		}
	}
	if n != nil {
		o.upper.mu.RLock()
		for name, k := range n.kids {
			if k.whiteout {
				delete(merged, name)
			} else {
				merged[name] = o.upper.infoOf(name, k)
			}
		}
		o.upper.mu.RUnlock()
	}
	out := make([]*info, 0, len(merged))
	for _, i := range merged {
		out = append(out, i)
	}
	sortInfos(out)
	return out, nil
}

func (o *overlay) open(rel string, flag int, perm fs.FileMode, op *opener) (handle, error) {
	i, err := o.lstat(rel)
	switch {
	case err == nil && flag&oCreate != 0 && flag&oExcl != 0:
		return nil, errExist
	case err == nil && (writable(flag) || flag&oTrunc != 0):
		if err := o.copyUp(rel); err != nil {
			return nil, err
		}
		return o.upper.open(rel, flag&^oCreate, perm, op)
	case err == nil && i.IsDir():
		all, err := o.readDir(rel)
		if err != nil {
			return nil, err
		}
		return &listHandle{i: i, all: all}, nil
	case err == nil:
		o.upper.mu.RLock()
		n, _ := o.upperState(rel)
		o.upper.mu.RUnlock()
		if n != nil {
			return o.upper.open(rel, flag, perm, op)
		}
		return o.openLower(rel, i)
	case errors.Is(err, errNotExist) && flag&oCreate != 0:
		if err := o.prepareParent(rel); err != nil {
			return nil, err
		}
		return o.upper.open(rel, flag, perm, op)
	}
	return nil, err
}

func (o *overlay) openLower(rel string, i *info) (handle, error) {
	for _, l := range o.lowers {
		f, err := l.Open(lowerPath(rel))
		if err == nil {
			return &lowerHandle{f: f, i: i}, nil
		}
	}
	return nil, errNotExist
}

func (o *overlay) mkdir(rel string, perm fs.FileMode, op *opener) error {
	if o.inLower(rel) {
		return errExist
	}
	if err := o.prepareParent(rel); err != nil {
		return err
	}
	return o.upper.mkdir(rel, perm, op)
}

func (o *overlay) symlink(target, rel string, op *opener) error {
	if o.inLower(rel) {
		if _, err := o.lstat(rel); err == nil {
			return errExist
		}
	}
	if err := o.prepareParent(rel); err != nil {
		return err
	}
	return o.upper.symlink(target, rel, op)
}

func (o *overlay) whiteout(rel string) {
	o.upper.mu.Lock()
	defer o.upper.mu.Unlock()
	if d, base, err := o.upper.parent(rel); err == nil {
		d.kids[base] = &memNode{whiteout: true}
		d.mtime = time.Now()
	}
}

func (o *overlay) remove(rel string) error {
	i, err := o.lstat(rel)
	if err != nil {
		return err
	}
	if i.IsDir() {
		kids, err := o.readDir(rel)
		if err != nil {
			return err
		}
		if len(kids) > 0 {
			return errNotEmpty
		}
	}
	lower := o.inLower(rel)
	if err := o.prepareParent(rel); err != nil {
		return err
	}
	o.upper.mu.Lock()
	n, _ := o.upperState(rel)
	if n != nil {
		d, base, _ := o.upper.parent(rel)
		delete(d.kids, base)
		o.upper.q.grow(-int64(len(n.data)))
	}
	o.upper.mu.Unlock()
	if lower {
		o.whiteout(rel)
	}
	return nil
}

func (o *overlay) rename(oldrel, newrel string) error {
	i, err := o.lstat(oldrel)
	if err != nil {
		return err
	}
	oldLower := o.inLower(oldrel)
	if i.IsDir() && oldLower {
		return errCrossDev
	}
	if ni, err := o.lstat(newrel); err == nil && ni.IsDir() && i.IsDir() {
		if kids, _ := o.readDir(newrel); len(kids) > 0 {
			return errNotEmpty
		}
	}
	newLower := o.inLower(newrel)
	if err := o.copyUp(oldrel); err != nil {
		return err
	}
	if err := o.prepareParent(newrel); err != nil {
		return err
	}
	if err := o.upper.rename(oldrel, newrel); err != nil {
		return err
	}
	if i.IsDir() && newLower {
		o.upper.mu.Lock()
		if n, err := o.upper.find(newrel); err == nil {
			n.opaque = true
		}
		o.upper.mu.Unlock()
	}
	if oldLower {
		o.whiteout(oldrel)
	}
	return nil
}

func (o *overlay) chmod(rel string, mode fs.FileMode) error {
	if err := o.copyUp(rel); err != nil {
		return err
	}
	return o.upper.chmod(rel, mode)
}

func (o *overlay) chown(rel string, uid, gid int) error {
	if err := o.copyUp(rel); err != nil {
		return err
	}
	return o.upper.chown(rel, uid, gid)
}

func (o *overlay) chtimes(rel string, atime, mtime time.Time) error {
	if err := o.copyUp(rel); err != nil {
		return err
	}
	return o.upper.chtimes(rel, atime, mtime)
}

func (o *overlay) usage() (int64, int64) { return o.upper.usage() }
