package vfs

import (
	"errors"
	"io/fs"
	"time"
)

// copyUp copies rel and its parents from the image to the writable layer,
// where they are not there yet. It returns errNotExist for a missing rel.
func (o *overlay) copyUp(rel string) error {
	o.upper.mu.Lock()
	defer o.upper.mu.Unlock()
	return o.copyUpLocked(rel)
}

func (o *overlay) copyUpLocked(rel string) error {
	comps := split(rel)
	n := o.upper.root
	for k, c := range comps {
		next, ok := n.kids[c]
		if ok && !next.whiteout {
			n = next
			continue
		}
		if ok || n.opaque {
			return errNotExist // hidden: nothing to copy
		}
		sub := join(joinAll(comps[:k]), c)
		li, layer, err := o.lowerLstat(sub)
		if err != nil {
			return err
		}
		node := &memNode{mode: li.mode, uid: li.stat.UID, gid: li.stat.GID, mtime: li.mtime,
			atime: li.mtime, ctime: time.Now(), ino: li.stat.Ino}
		switch {
		case li.IsDir():
			node.kids = map[string]*memNode{}
		case li.mode&fs.ModeSymlink != 0:
			t, err := fs.ReadLink(o.lowers[layer], lowerPath(sub))
			if err != nil {
				return errInvalid
			}
			node.target = t
		default:
			data, err := fs.ReadFile(o.lowers[layer], lowerPath(sub))
			if err != nil {
				return errNotExist
			}
			if err := o.upper.q.grow(int64(len(data))); err != nil {
				return err
			}
			node.data = data
		}
		if k < len(comps)-1 && !node.mode.IsDir() {
			return errNotDir
		}
		n.kids[c] = node
		n = node
	}
	return nil
}

func joinAll(comps []string) string {
	out := "."
	for _, c := range comps {
		out = join(out, c)
	}
	return out
}

// inLower reports whether the image shows rel (not hidden by the writable
// layer's parents).
func (o *overlay) inLower(rel string) bool {
	o.upper.mu.RLock()
	_, hidden := o.upperState(rel)
	o.upper.mu.RUnlock()
	if hidden {
		return false
	}
	_, _, err := o.lowerLstat(rel)
	return err == nil
}

// prepareParent copies rel's parent directory up, so that rel can be made.
func (o *overlay) prepareParent(rel string) error {
	dir, _ := dirAndBase(rel)
	if dir == "." {
		return nil
	}
	err := o.copyUp(dir)
	if errors.Is(err, errNotExist) {
		return errNotExist
	}
	return err
}
