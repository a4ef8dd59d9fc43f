package inmem

import (
	"io"
	"io/fs"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// Owner is what a MemFS FileInfo's Sys() returns.
type Owner struct{ UID, GID int }

type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	owner Owner
}

func (fi fileInfo) Name() string       { return fi.name }
func (fi fileInfo) Size() int64        { return fi.size }
func (fi fileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi fileInfo) ModTime() time.Time { return fi.mtime }
func (fi fileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi fileInfo) Sys() any           { return &fi.owner }

func (n *node) info(name string) fs.FileInfo {
	size := int64(len(n.data))
	if n.mode&fs.ModeSymlink != 0 {
		size = int64(len(n.target))
	}
	return fileInfo{name: name, size: size, mode: n.mode, mtime: n.mtime, owner: Owner{n.uid, n.gid}}
}

func (v *view) Open(name string) (fs.File, error) {
	return v.OpenFile(name, syscall.O_RDONLY, 0)
}

// OpenFile opens name with os.OpenFile's flags (O_CREATE, O_EXCL, O_TRUNC,
// O_APPEND, O_RDONLY/O_WRONLY/O_RDWR).
func (v *view) OpenFile(name string, flag int, perm fs.FileMode) (sandbox.File, error) {
	var f *memFile
	err := v.m.with(func() error {
		n, _, err := v.walk("open", name, true)
		switch {
		case isErrno(err, syscall.ENOENT) && flag&syscall.O_CREAT != 0:
			dir, base, err := v.parentOf("open", name)
			if err != nil {
				return err
			}
			if err := v.mayChange("open", name, dir); err != nil {
				return err
			}
			n = &node{mode: perm.Perm(), uid: v.uid, gid: v.gid, mtime: v.m.now()}
			dir.kids[base] = n
			dir.mtime = v.m.now()
		case err != nil:
			return err
		case flag&syscall.O_CREAT != 0 && flag&syscall.O_EXCL != 0:
			return pathErr("open", name, syscall.EEXIST)
		default:
			writing := flag&(syscall.O_WRONLY|syscall.O_RDWR) != 0
			if n.mode.IsDir() && writing {
				return pathErr("open", name, syscall.EISDIR)
			}
			if writing && n.readOnly {
				return pathErr("open", name, syscall.EROFS)
			}
			want := fs.FileMode(0)
			if flag&syscall.O_WRONLY == 0 {
				want |= 4
			}
			if writing {
				want |= 2
			}
			if !v.may(n, want) {
				return pathErr("open", name, syscall.EACCES)
			}
			if writing && flag&syscall.O_TRUNC != 0 {
				n.data, n.mtime = nil, v.m.now()
			}
		}
		f = &memFile{m: v.m, n: n, name: name, flag: flag}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// memFile is an open file: its own offset over the node's live contents,
// so a reader at the end sees what a writer appends later (tail -f).
type memFile struct {
	m      *MemFS
	n      *node
	name   string
	flag   int
	off    int64
	dirOff int
	closed bool
}

func (f *memFile) Stat() (fs.FileInfo, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	return f.n.info(baseName(f.name)), nil
}

func baseName(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' && i < len(name)-1 {
			return name[i+1:]
		}
	}
	return name
}

func (f *memFile) Read(b []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	switch {
	case f.closed:
		return 0, pathErr("read", f.name, syscall.EBADF)
	case f.n.mode.IsDir():
		return 0, pathErr("read", f.name, syscall.EISDIR)
	case f.flag&syscall.O_WRONLY != 0:
		return 0, pathErr("read", f.name, syscall.EBADF)
	case f.off >= int64(len(f.n.data)):
		return 0, io.EOF
	}
	k := copy(b, f.n.data[f.off:])
	f.off += int64(k)
	return k, nil
}

func (f *memFile) Write(b []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.closed || f.flag&(syscall.O_WRONLY|syscall.O_RDWR) == 0 {
		return 0, pathErr("write", f.name, syscall.EBADF)
	}
	if f.flag&syscall.O_APPEND != 0 {
		f.off = int64(len(f.n.data))
	}
	if end := f.off + int64(len(b)); end > int64(len(f.n.data)) {
		f.n.data = append(f.n.data, make([]byte, end-int64(len(f.n.data)))...)
	}
	copy(f.n.data[f.off:], b)
	f.off += int64(len(b))
	f.n.mtime = f.m.now()
	return len(b), nil
}

func (f *memFile) Seek(offset int64, whence int) (int64, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	switch whence {
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += int64(len(f.n.data))
	}
	if offset < 0 {
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	f.off = offset
	return offset, nil
}

func (f *memFile) ReadDir(n int) ([]fs.DirEntry, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if !f.n.mode.IsDir() {
		return nil, pathErr("readdirent", f.name, syscall.ENOTDIR)
	}
	all := f.n.entries()[f.dirOff:]
	if n > 0 && len(all) > n {
		all = all[:n]
	}
	f.dirOff += len(all)
	if n > 0 && len(all) == 0 {
		return nil, io.EOF
	}
	return all, nil
}

func (f *memFile) Close() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.closed {
		return pathErr("close", f.name, syscall.EBADF)
	}
	f.closed = true
	return nil
}
