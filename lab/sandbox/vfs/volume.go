package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"
	"syscall"
)

// Volume is what a kubelet mounts into containers: an emptyDir, a PVC's
// data, a configMap's or secret's projection. It is shared by pointer: two
// containers that mount the same Volume see each other's writes; a Volume
// outlives the containers that mount it (a pod's restart keeps its
// emptyDir; a PVC's directory outlives pods). Safe for concurrent use.
type Volume struct {
	b    backend
	kind string // file system type in /proc/mounts: "ext4", "tmpfs"
	name string // source in /proc/mounts and df
	dir  *dirBackend
}

// Default size limits (ENOSPC past them); a VolumeOption or the container's
// options change them.
const (
	// DefaultDirLimit bounds a volume on a host directory.
	DefaultDirLimit = 512 << 20
	// DefaultMemLimit bounds a volume in memory.
	DefaultMemLimit = 64 << 20
	// DefaultUpperLimit bounds a container's writable layer (in memory).
	DefaultUpperLimit = 64 << 20
)

// VolumeOption configures a Volume.
type VolumeOption interface{ apply(*volOpts) error }

type volOpts struct {
	limit    int64
	uid, gid int
	rootMode fs.FileMode
	name     string
}

type volOptFunc func(*volOpts) error

func (f volOptFunc) apply(o *volOpts) error { return f(o) }

// SizeLimit bounds the bytes the volume holds (an emptyDir's sizeLimit, a
// PVC's capacity); writes past it fail with ENOSPC.
func SizeLimit(bytes int64) VolumeOption {
	return volOptFunc(func(o *volOpts) error {
		if bytes <= 0 {
			return fmt.Errorf("size limit %d is not positive", bytes)
		}
		o.limit = bytes
		return nil
	})
}

// Owner is the owner of the volume's root and of the files on disk whose
// owner the volume does not know (made before kubelab started): root where
// not given. An fsGroup gives the group.
func Owner(uid, gid int) VolumeOption {
	return volOptFunc(func(o *volOpts) error { o.uid, o.gid = uid, gid; return nil })
}

// RootMode is the mode of the volume's root directory: 0777 for an
// emptyDir (as the kubelet makes it), 0755 where not given.
func RootMode(mode fs.FileMode) VolumeOption {
	return volOptFunc(func(o *volOpts) error { o.rootMode = mode & (fs.ModePerm | fs.ModeSticky); return nil })
}

// Name is the volume's source in /proc/mounts and df.
func Name(name string) VolumeOption {
	return volOptFunc(func(o *volOpts) error { o.name = name; return nil })
}

func volumeOpts(limit int64, opts []VolumeOption) (*volOpts, error) {
	o := &volOpts{limit: limit, rootMode: 0o755}
	for _, opt := range opts {
		if err := opt.apply(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

var devices atomic.Uint64

func nextDev() uint64 { return 0x800 + devices.Add(1) }

// OpenVolume opens a volume on the host directory dir (which must exist).
// The container reaches it only through an os.Root: neither "..", nor a
// symbolic link, nor a race between two containers can lead outside dir.
func OpenVolume(dir string, opts ...VolumeOption) (*Volume, error) {
	o, err := volumeOpts(DefaultDirLimit, opts)
	if err != nil {
		return nil, fmt.Errorf("volume %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open volume %s: %w", dir, err)
	}
	if err := root.Chmod(".", o.rootMode); err != nil {
		root.Close()
		return nil, fmt.Errorf("volume %s: %w", dir, err)
	}
	d := &dirBackend{root: root, q: &quota{limit: o.limit}, owners: map[string]owner{},
		def: owner{o.uid, o.gid}, dev: nextDev()}
	d.q.used = d.measure()
	if o.name == "" {
		o.name = "/dev/vda1"
	}
	return &Volume{b: d, kind: "ext4", name: o.name, dir: d}, nil
}

// NewMemVolume makes a volume in memory: an emptyDir with medium Memory, or
// a projection the kubelet fills with WriteFile.
func NewMemVolume(opts ...VolumeOption) (*Volume, error) {
	o, err := volumeOpts(DefaultMemLimit, opts)
	if err != nil {
		return nil, fmt.Errorf("memory volume: %w", err)
	}
	t := newMemTree(&quota{limit: o.limit}, nextDev(), o.rootMode)
	t.root.uid, t.root.gid = o.uid, o.gid
	if o.name == "" {
		o.name = "tmpfs"
	}
	return &Volume{b: t, kind: "tmpfs", name: o.name}, nil
}

// kubelet is who the Volume's own methods act as.
var kubelet = &opener{cred: Cred{Umask: 0o022}}

// WriteFile writes a file of the volume, making its parents, as root: how
// a kubelet projects a configMap's key. name is relative to the volume.
func (v *Volume) WriteFile(name string, data []byte, perm fs.FileMode) error {
	rel, err := volRel(name)
	if err != nil {
		return err
	}
	comps := split(rel)
	for k := range comps[:max(0, len(comps)-1)] {
		err := v.b.mkdir(joinAll(comps[:k+1]), 0o755, kubelet)
		if err != nil && !errors.Is(err, errExist) {
			return &fs.PathError{Op: "mkdir", Path: name, Err: err}
		}
	}
	h, err := v.b.open(rel, oWronly|oCreate|oTrunc, perm, kubelet)
	if err != nil {
		return &fs.PathError{Op: "open", Path: name, Err: err}
	}
	_, err = h.Write(data)
	if cerr := h.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = v.b.chmod(rel, perm)
	}
	return err
}

// Symlink makes name a symbolic link to target inside the volume (the
// kubelet's ..data links).
func (v *Volume) Symlink(target, name string) error {
	rel, err := volRel(name)
	if err != nil {
		return err
	}
	return v.b.symlink(target, rel, kubelet)
}

// Rename renames inside the volume, replacing newname (an atomic swap of a
// projection's ..data link).
func (v *Volume) Rename(oldname, newname string) error {
	o, err := volRel(oldname)
	if err != nil {
		return err
	}
	n, err := volRel(newname)
	if err != nil {
		return err
	}
	return v.b.rename(o, n)
}

// ReadFile reads a file of the volume (what the kubelet reads back).
func (v *Volume) ReadFile(name string) ([]byte, error) {
	rel, err := volRel(name)
	if err != nil {
		return nil, err
	}
	h, err := v.b.open(rel, oRdonly, 0, kubelet)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer h.Close()
	return readAll(h)
}

// Usage returns the bytes the volume holds and its limit.
func (v *Volume) Usage() (used, limit int64) { return v.b.usage() }

// Close releases the volume's directory; its files stay on disk.
func (v *Volume) Close() error {
	if v.dir != nil {
		return v.dir.root.Close()
	}
	return nil
}

// volRel checks a name relative to a volume.
func volRel(name string) (string, error) {
	if name == "" || name[0] == '/' {
		return "", &fs.PathError{Op: "open", Path: name, Err: errInvalid}
	}
	for _, c := range split(name) {
		if c == ".." || c == "." {
			return "", &fs.PathError{Op: "open", Path: name, Err: errInvalid}
		}
	}
	return joinAll(split(name)), nil
}

func readAll(h handle) ([]byte, error) {
	var out []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := h.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if errors.Is(err, errEOF) {
				return out, nil
			}
			return out, err
		}
	}
}

// errno turns an error of the os package into a bare Errno.
func errno(err error) error {
	if err == nil {
		return nil
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errNotExist
	case errors.Is(err, fs.ErrExist):
		return errExist
	case errors.Is(err, errEOF):
		return err
	}
	// os.Root's refusals (a path escaping the root) and the like.
	return errAccess
}
