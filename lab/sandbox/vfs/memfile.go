package vfs

import (
	"io"
	"time"
)

// memHandle is an open file of a memTree. The node stays readable after
// it is removed, as an open file on a disk does.
type memHandle struct {
	t      *memTree
	n      *memNode
	name   string
	flag   int
	off    int64
	closed bool
	dirOff int
}

func (h *memHandle) Read(b []byte) (int, error) {
	h.t.mu.RLock()
	defer h.t.mu.RUnlock()
	switch {
	case h.closed:
		return 0, errBadFD
	case !readable(h.flag):
		return 0, errBadFD
	case h.n.mode.IsDir():
		return 0, errIsDir
	case h.off >= int64(len(h.n.data)):
		return 0, io.EOF
	}
	k := copy(b, h.n.data[h.off:])
	h.off += int64(k)
	return k, nil
}

// maxFile is the largest file a memory tree holds, whatever its quota.
const maxFile = 1 << 30

func (h *memHandle) Write(b []byte) (int, error) {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.closed || !writable(h.flag) {
		return 0, errBadFD
	}
	n := h.n
	if h.flag&oAppend != 0 {
		h.off = int64(len(n.data))
	}
	end := h.off + int64(len(b))
	if end > maxFile {
		return 0, errFileLarge
	}
	if grow := end - int64(len(n.data)); grow > 0 {
		if err := h.t.q.grow(grow); err != nil {
			return 0, err
		}
	}
	return h.writeLocked(b)
}

func (h *memHandle) writeLocked(b []byte) (int, error) {
	n := h.n
	end := h.off + int64(len(b))
	if end > int64(len(n.data)) {
		if end > int64(cap(n.data)) {
			grown := make([]byte, end, max(end, 2*int64(cap(n.data))))
			copy(grown, n.data)
			n.data = grown
		} else {
			n.data = n.data[:end]
		}
	}
	copy(n.data[h.off:], b)
	h.off = end
	n.mtime = time.Now()
	return len(b), nil
}

func (h *memHandle) Seek(off int64, whence int) (int64, error) {
	h.t.mu.RLock()
	defer h.t.mu.RUnlock()
	switch whence {
	case io.SeekCurrent:
		off += h.off
	case io.SeekEnd:
		off += int64(len(h.n.data))
	}
	if off < 0 {
		return 0, errInvalid
	}
	h.off = off
	if h.n.mode.IsDir() && off == 0 {
		h.dirOff = 0
	}
	return off, nil
}

func (h *memHandle) Close() error {
	h.t.mu.Lock()
	defer h.t.mu.Unlock()
	if h.closed {
		return errBadFD
	}
	h.closed = true
	return nil
}

func (h *memHandle) stat() (*info, error) {
	h.t.mu.RLock()
	defer h.t.mu.RUnlock()
	return h.t.infoOf(h.name, h.n), nil
}

func (h *memHandle) readDir(count int) ([]*info, error) {
	h.t.mu.RLock()
	if !h.n.mode.IsDir() {
		h.t.mu.RUnlock()
		return nil, errNotDir
	}
	var all []*info
	for name, k := range h.n.kids {
		if !k.whiteout {
			all = append(all, h.t.infoOf(name, k))
		}
	}
	h.t.mu.RUnlock()
	sortInfos(all)
	return pageDir(all, &h.dirOff, count)
}

// pageDir returns the next count entries of all from *off (all of them
// where count <= 0), as fs.ReadDirFile does.
func pageDir(all []*info, off *int, count int) ([]*info, error) {
	rest := all[min(*off, len(all)):]
	if count <= 0 {
		*off = len(all)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	k := min(count, len(rest))
	*off += k
	return rest[:k], nil
}
