package vfs

import (
	"io/fs"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// memTree is a file system in memory: a container's writable layer, an
// emptyDir with medium Memory, a configMap's projection, /dev.
type memTree struct {
	mu   sync.RWMutex
	root *memNode
	q    *quota
	dev  uint64
	// special opens the device nodes of /dev; nil elsewhere.
	special func(n *memNode, flag int, o *opener) (handle, error)
}

// memNode is a file, directory or symbolic link of a memTree, or, in a
// writable layer, a whiteout hiding a file of the layers below.
type memNode struct {
	mode                fs.FileMode
	uid, gid            int
	mtime, atime, ctime time.Time
	ino                 uint64
	data                []byte
	target              string
	kids                map[string]*memNode
	whiteout, opaque    bool
	device              string // "null", "zero", ... in /dev
}

var inodes atomic.Uint64

func newNode(mode fs.FileMode, uid, gid int) *memNode {
	now := time.Now()
	n := &memNode{mode: mode, uid: uid, gid: gid, mtime: now, atime: now, ctime: now, ino: inodes.Add(1) + 1000}
	if mode.IsDir() {
		n.kids = map[string]*memNode{}
	}
	return n
}

func newMemTree(q *quota, dev uint64, rootMode fs.FileMode) *memTree {
	return &memTree{root: newNode(fs.ModeDir|rootMode, 0, 0), q: q, dev: dev}
}

// find returns the node of rel; whiteouts count as missing.
func (t *memTree) find(rel string) (*memNode, error) {
	n := t.root
	for _, c := range split(rel) {
		if !n.mode.IsDir() {
			return nil, errNotDir
		}
		k, ok := n.kids[c]
		if !ok || k.whiteout {
			return nil, errNotExist
		}
		n = k
	}
	return n, nil
}

// parent returns the directory node that holds rel, and rel's last name.
func (t *memTree) parent(rel string) (*memNode, string, error) {
	dir, base := dirAndBase(rel)
	if base == "" || rel == "." {
		return nil, "", errBusy
	}
	d, err := t.find(dir)
	if err != nil {
		return nil, "", err
	}
	if !d.mode.IsDir() {
		return nil, "", errNotDir
	}
	return d, base, nil
}

func (t *memTree) infoOf(name string, n *memNode) *info {
	i := &info{name: name, mode: n.mode, mtime: n.mtime, stat: statOf(n, t.dev)}
	switch {
	case n.mode.IsDir():
		i.size = 4096
	case n.mode&fs.ModeSymlink != 0:
		i.size = int64(len(n.target))
	default:
		i.size = int64(len(n.data))
	}
	return i
}

func statOf(n *memNode, dev uint64) (s sandboxStat) {
	s.UID, s.GID, s.Ino, s.Dev = n.uid, n.gid, n.ino, dev
	s.Nlink = 1
	if n.mode.IsDir() {
		s.Nlink = 2
		for _, k := range n.kids {
			if k.mode.IsDir() && !k.whiteout {
				s.Nlink++
			}
		}
	}
	s.Atime, s.Ctime = n.atime, n.ctime
	return s
}

func baseName(rel string) string {
	if rel == "." {
		return "/"
	}
	_, b := dirAndBase(rel)
	return b
}

func (t *memTree) lstat(rel string) (*info, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.find(rel)
	if err != nil {
		return nil, err
	}
	return t.infoOf(baseName(rel), n), nil
}

func (t *memTree) readlink(rel string) (string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.find(rel)
	if err != nil {
		return "", err
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", errInvalid
	}
	return n.target, nil
}

func (t *memTree) readDir(rel string) ([]*info, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.find(rel)
	if err != nil {
		return nil, err
	}
	if !n.mode.IsDir() {
		return nil, errNotDir
	}
	var out []*info
	for _, name := range slices.Sorted(maps.Keys(n.kids)) {
		if k := n.kids[name]; !k.whiteout {
			out = append(out, t.infoOf(name, k))
		}
	}
	return out, nil
}

// add puts a new node at rel, over a whiteout; it fails where a live
// entry exists.
func (t *memTree) add(rel string, n *memNode) error {
	d, base, err := t.parent(rel)
	if err != nil {
		return err
	}
	if k, ok := d.kids[base]; ok && !k.whiteout {
		return errExist
	} else if ok && k.whiteout && n.mode.IsDir() {
		n.opaque = true // the layers below must not show through
	}
	d.kids[base] = n
	d.mtime, d.ctime = n.mtime, n.mtime
	return nil
}

func (t *memTree) open(rel string, flag int, perm fs.FileMode, o *opener) (handle, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.find(rel)
	switch {
	case err == errNotExist && flag&oCreate != 0:
		n = newNode(perm&^o.cred.Umask&fs.ModePerm, o.cred.UID, o.cred.GID)
		if err := t.add(rel, n); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	case flag&oCreate != 0 && flag&oExcl != 0:
		return nil, errExist
	}
	if n.device != "" && t.special != nil {
		return t.special(n, flag, o)
	}
	if n.mode.IsDir() && flag&(oWronly|oRdwr) != 0 {
		return nil, errIsDir
	}
	if flag&oTrunc != 0 && !n.mode.IsDir() && len(n.data) > 0 {
		t.q.grow(-int64(len(n.data)))
		n.data = nil
		n.mtime = time.Now()
	}
	return &memHandle{t: t, n: n, name: baseName(rel), flag: flag}, nil
}

func (t *memTree) mkdir(rel string, perm fs.FileMode, o *opener) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.add(rel, newNode(fs.ModeDir|perm&^o.cred.Umask&(fs.ModePerm|fs.ModeSticky), o.cred.UID, o.cred.GID))
}

func (t *memTree) symlink(target, rel string, o *opener) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := newNode(fs.ModeSymlink|0o777, o.cred.UID, o.cred.GID)
	n.target = target
	return t.add(rel, n)
}

func (t *memTree) remove(rel string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, base, err := t.parent(rel)
	if err != nil {
		return err
	}
	n, ok := d.kids[base]
	if !ok || n.whiteout {
		return errNotExist
	}
	if n.mode.IsDir() {
		for _, k := range n.kids {
			if !k.whiteout {
				return errNotEmpty
			}
		}
	}
	delete(d.kids, base)
	t.q.grow(-int64(len(n.data)))
	d.mtime, d.ctime = time.Now(), time.Now()
	return nil
}

func (t *memTree) rename(oldrel, newrel string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	od, obase, err := t.parent(oldrel)
	if err != nil {
		return err
	}
	n, ok := od.kids[obase]
	if !ok || n.whiteout {
		return errNotExist
	}
	nd, nbase, err := t.parent(newrel)
	if err != nil {
		return err
	}
	if n.mode.IsDir() && (newrel == oldrel || len(newrel) > len(oldrel) && newrel[:len(oldrel)+1] == oldrel+"/") {
		return errInvalid // into itself
	}
	if old, ok := nd.kids[nbase]; ok && !old.whiteout {
		switch {
		case old == n:
			return nil
		case old.mode.IsDir() && !n.mode.IsDir():
			return errIsDir
		case !old.mode.IsDir() && n.mode.IsDir():
			return errNotDir
		case old.mode.IsDir():
			for _, k := range old.kids {
				if !k.whiteout {
					return errNotEmpty
				}
			}
		}
		t.q.grow(-int64(len(old.data)))
	}
	delete(od.kids, obase)
	nd.kids[nbase] = n
	now := time.Now()
	od.mtime, nd.mtime, n.ctime = now, now, now
	return nil
}

func (t *memTree) chmod(rel string, mode fs.FileMode) error {
	return t.update(rel, func(n *memNode) {
		n.mode = n.mode.Type() | mode&(fs.ModePerm|fs.ModeSticky|fs.ModeSetuid|fs.ModeSetgid)
	})
}

func (t *memTree) chown(rel string, uid, gid int) error {
	return t.update(rel, func(n *memNode) {
		if uid >= 0 {
			n.uid = uid
		}
		if gid >= 0 {
			n.gid = gid
		}
	})
}

func (t *memTree) chtimes(rel string, atime, mtime time.Time) error {
	return t.update(rel, func(n *memNode) {
		if !atime.IsZero() {
			n.atime = atime
		}
		if !mtime.IsZero() {
			n.mtime = mtime
		}
	})
}

func (t *memTree) update(rel string, f func(*memNode)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, err := t.find(rel)
	if err != nil {
		return err
	}
	f(n)
	n.ctime = time.Now()
	return nil
}

func (t *memTree) usage() (int64, int64) { return t.q.get() }
