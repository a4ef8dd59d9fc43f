package vfs

import (
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"
)

// dirBackend is a volume on a host directory, reached only through an
// os.Root (the one guarantee that nothing leads outside it). Owners are the
// container's: kept in memory, since kubelab cannot chown files on the
// host; files it has not seen made belong to the volume's default owner.
type dirBackend struct {
	root *os.Root
	q    *quota
	dev  uint64

	mu     sync.Mutex
	owners map[string]owner
	def    owner
}

type owner struct{ uid, gid int }

// measure sums the sizes of the files already in the directory.
func (d *dirBackend) measure() int64 {
	var n int64
	fs.WalkDir(d.root.FS(), ".", func(_ string, de fs.DirEntry, err error) error {
		if err == nil && de.Type().IsRegular() {
			if fi, err := de.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func (d *dirBackend) ownerOf(rel string) owner {
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := d.owners[rel]; ok {
		return o
	}
	return d.def
}

func (d *dirBackend) setOwner(rel string, o owner) {
	d.mu.Lock()
	d.owners[rel] = o
	d.mu.Unlock()
}

func (d *dirBackend) infoOf(name, rel string, fi fs.FileInfo) *info {
	i := &info{name: name, size: fi.Size(), mode: fi.Mode(), mtime: fi.ModTime()}
	o := d.ownerOf(rel)
	h := fnv.New64a()
	h.Write([]byte(rel))
	i.stat = sandboxStat{UID: o.uid, GID: o.gid, Ino: h.Sum64()%1_000_000 + 100, Nlink: 1, Dev: d.dev,
		Atime: fi.ModTime(), Ctime: fi.ModTime()}
	if i.IsDir() {
		i.stat.Nlink = 2
	}
	return i
}

func (d *dirBackend) lstat(rel string) (*info, error) {
	fi, err := d.root.Lstat(rel)
	if err != nil {
		return nil, errno(err)
	}
	return d.infoOf(baseName(rel), rel, fi), nil
}

func (d *dirBackend) readlink(rel string) (string, error) {
	t, err := d.root.Readlink(rel)
	return t, errno(err)
}

func (d *dirBackend) readDir(rel string) ([]*info, error) {
	f, err := d.root.Open(rel)
	if err != nil {
		return nil, errno(err)
	}
	defer f.Close()
	h := &dirHandle{d: d, f: f, rel: rel}
	return h.readDir(-1)
}

func (d *dirBackend) open(rel string, flag int, perm fs.FileMode, o *opener) (handle, error) {
	created := false
	if flag&oCreate != 0 {
		if _, err := d.root.Lstat(rel); err != nil {
			created = true
		}
	}
	mode := perm &^ o.cred.Umask & fs.ModePerm
	var size int64
	if flag&oTrunc != 0 {
		if fi, err := d.root.Lstat(rel); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	f, err := d.root.OpenFile(rel, flag, mode)
	if err != nil {
		return nil, errno(err)
	}
	if size > 0 {
		d.q.grow(-size)
	}
	if created {
		d.root.Chmod(rel, mode) // the host's umask is not the container's
		d.setOwner(rel, owner{o.cred.UID, o.cred.GID})
	}
	return &dirHandle{d: d, f: f, rel: rel, flag: flag}, nil
}

func (d *dirBackend) mkdir(rel string, perm fs.FileMode, o *opener) error {
	mode := perm &^ o.cred.Umask & (fs.ModePerm | fs.ModeSticky)
	if err := d.root.Mkdir(rel, mode); err != nil {
		return errno(err)
	}
	d.root.Chmod(rel, mode)
	d.setOwner(rel, owner{o.cred.UID, o.cred.GID})
	return nil
}

func (d *dirBackend) symlink(target, rel string, o *opener) error {
	if err := d.root.Symlink(target, rel); err != nil {
		return errno(err)
	}
	d.setOwner(rel, owner{o.cred.UID, o.cred.GID})
	return nil
}

func (d *dirBackend) remove(rel string) error {
	fi, err := d.root.Lstat(rel)
	if err != nil {
		return errno(err)
	}
	if err := d.root.Remove(rel); err != nil {
		return errno(err)
	}
	if fi.Mode().IsRegular() {
		d.q.grow(-fi.Size())
	}
	d.mu.Lock()
	delete(d.owners, rel)
	d.mu.Unlock()
	return nil
}

func (d *dirBackend) rename(oldrel, newrel string) error {
	if fi, err := d.root.Lstat(newrel); err == nil && fi.Mode().IsRegular() {
		defer d.q.grow(-fi.Size())
	}
	if err := d.root.Rename(oldrel, newrel); err != nil {
		return errno(err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, o := range d.owners {
		if k == oldrel || strings.HasPrefix(k, oldrel+"/") {
			delete(d.owners, k)
			d.owners[newrel+k[len(oldrel):]] = o
		}
	}
	return nil
}

func (d *dirBackend) chmod(rel string, mode fs.FileMode) error {
	return errno(d.root.Chmod(rel, mode&(fs.ModePerm|fs.ModeSticky|fs.ModeSetuid|fs.ModeSetgid)))
}

func (d *dirBackend) chown(rel string, uid, gid int) error {
	if _, err := d.root.Lstat(rel); err != nil {
		return errno(err)
	}
	o := d.ownerOf(rel)
	if uid >= 0 {
		o.uid = uid
	}
	if gid >= 0 {
		o.gid = gid
	}
	d.setOwner(rel, o)
	return nil
}

func (d *dirBackend) chtimes(rel string, atime, mtime time.Time) error {
	return errno(d.root.Chtimes(rel, atime, mtime))
}

func (d *dirBackend) usage() (int64, int64) { return d.q.get() }

// dirHandle is an open file of a volume on disk.
type dirHandle struct {
	d    *dirBackend
	f    *os.File
	rel  string
	flag int
}

func (h *dirHandle) Read(b []byte) (int, error) {
	n, err := h.f.Read(b)
	if err == io.EOF {
		return n, err
	}
	return n, errno(err)
}

func (h *dirHandle) Write(b []byte) (int, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return 0, errno(err)
	}
	off := fi.Size()
	if h.flag&oAppend == 0 {
		if off, err = h.f.Seek(0, io.SeekCurrent); err != nil {
			return 0, errno(err)
		}
	}
	if grow := off + int64(len(b)) - fi.Size(); grow > 0 {
		if err := h.d.q.grow(grow); err != nil {
			return 0, err
		}
	}
	n, err := h.f.Write(b)
	return n, errno(err)
}

func (h *dirHandle) Seek(off int64, whence int) (int64, error) {
	n, err := h.f.Seek(off, whence)
	return n, errno(err)
}

func (h *dirHandle) Close() error { return errno(h.f.Close()) }

func (h *dirHandle) stat() (*info, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return nil, errno(err)
	}
	return h.d.infoOf(baseName(h.rel), h.rel, fi), nil
}

func (h *dirHandle) readDir(n int) ([]*info, error) {
	des, err := h.f.ReadDir(n)
	out := make([]*info, 0, len(des))
	for _, de := range des {
		fi, ierr := de.Info()
		if ierr != nil {
			continue
		}
		out = append(out, h.d.infoOf(de.Name(), join(h.rel, de.Name()), fi))
	}
	sortInfos(out)
	if err == io.EOF {
		return out, err
	}
	return out, errno(err)
}
