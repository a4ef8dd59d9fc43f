package vfs

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Tree is a container's file tree. Processes use it through a View (their
// user, working directory and standard streams). Safe for concurrent use.
type Tree struct {
	mu     sync.RWMutex
	mounts []*mount // longest path first
	kernel Kernel
}

// mount is a file system mounted at a path of the tree.
type mount struct {
	path   string // clean, absolute
	b      backend
	base   string // the mounted part of b ("." all of it)
	ro     bool
	kind   string // "overlay", "ext4", "tmpfs", "proc", "sysfs"
	source string
}

// Config describes a container's tree.
type Config struct {
	// Image is the image's layers, top first: fstest.MapFS, embed.FS, ...
	// A file's owner is its FileInfo's Sys().(interface{ Owner() (int,
	// int) }), e.g. a *sandbox.Stat; root where it has none. Symbolic links
	// are read where the fs.FS implements fs.ReadLinkFS.
	Image []fs.FS
	// UpperLimit bounds the writable layer; DefaultUpperLimit where 0.
	UpperLimit int64
	// ReadOnlyRoot makes "/" read-only (readOnlyRootFilesystem); mounts
	// keep their own mode.
	ReadOnlyRoot bool
	// Mounts are the volumes, in the order the kubelet mounts them.
	Mounts []Mount
	// Kernel tells /proc and /sys about the container; nil: no processes.
	Kernel Kernel
}

// Mount mounts (part of) a Volume at a path of the container.
type Mount struct {
	// Path is where, absolute. A file's path where SubPath names a file.
	Path   string
	Volume *Volume
	// SubPath is the part of the volume mounted, relative ("" for all).
	SubPath  string
	ReadOnly bool
}

// New makes a container's tree: the image under a writable layer, /proc,
// /dev, /dev/shm, /sys, then the mounts. A mount's path is made in the
// writable layer where the image lacks it, as a runtime does.
func New(cfg Config) (*Tree, error) {
	limit := cfg.UpperLimit
	if limit == 0 {
		limit = DefaultUpperLimit
	}
	kernel := cfg.Kernel
	if kernel == nil {
		kernel = noKernel{}
	}
	root := &overlay{upper: newMemTree(&quota{limit: limit}, nextDev(), 0o755), lowers: cfg.Image}
	t := &Tree{kernel: kernel}
	t.add(&mount{path: "/", b: root, base: ".", kind: "overlay", source: "overlay"})
	t.add(&mount{path: "/proc", b: &procFS{t: t}, base: ".", kind: "proc", source: "proc"})
	t.add(&mount{path: "/dev", b: newDevFS(), base: ".", kind: "tmpfs", source: "tmpfs"})
	shm := newMemTree(&quota{limit: 64 << 20}, nextDev(), 0o1777)
	t.add(&mount{path: "/dev/shm", b: shm, base: ".", kind: "tmpfs", source: "shm"})
	t.add(&mount{path: "/sys", b: newSysFS(kernel), base: ".", ro: true, kind: "sysfs", source: "sysfs"})
	for _, m := range cfg.Mounts {
		if err := t.mountVolume(m); err != nil {
			return nil, err
		}
	}
	for _, m := range t.mounts {
		if m.path != "/" {
			t.makeMountPoint(m)
		}
	}
	if cfg.ReadOnlyRoot {
		t.mountFor("/").ro = true
	}
	return t, nil
}

func fsOrEmpty(image []fs.FS) fs.FS {
	if len(image) > 0 {
		return image[len(image)-1]
	}
	return emptyFS{}
}

type emptyFS struct{}

func (emptyFS) Open(string) (fs.File, error) { return nil, fs.ErrNotExist }

func (t *Tree) add(m *mount) {
	// A later mount at the same path hides the earlier one.
	t.mounts = slices.DeleteFunc(t.mounts, func(o *mount) bool { return o.path == m.path })
	t.mounts = append(t.mounts, m)
	slices.SortStableFunc(t.mounts, func(a, b *mount) int { return len(b.path) - len(a.path) })
}

func (t *Tree) mountVolume(m Mount) error {
	if m.Volume == nil {
		return fmt.Errorf("mount %s: no volume", m.Path)
	}
	if !path.IsAbs(m.Path) || path.Clean(m.Path) != m.Path || m.Path == "/" {
		return fmt.Errorf("mount path %q is not a clean absolute path other than /", m.Path)
	}
	base := "."
	if m.SubPath != "" {
		rel, err := volRel(m.SubPath)
		if err != nil {
			return fmt.Errorf("mount %s: subPath %q must be relative, without ..", m.Path, m.SubPath)
		}
		i, err := m.Volume.b.lstat(rel)
		if err != nil {
			// The kubelet makes a missing subPath as a directory.
			if err := m.Volume.b.mkdir(rel, 0o755, kubelet); err != nil {
				return fmt.Errorf("mount %s: subPath %s: %w", m.Path, m.SubPath, err)
			}
		} else if i.mode&fs.ModeSymlink != 0 {
			return fmt.Errorf("mount %s: subPath %s is a symbolic link", m.Path, m.SubPath)
		}
		base = rel
	}
	t.add(&mount{path: m.Path, b: m.Volume.b, base: base, ro: m.ReadOnly, kind: m.Volume.kind, source: m.Volume.name})
	return nil
}

// makeMountPoint makes m's path in the file system below it, as root.
func (t *Tree) makeMountPoint(m *mount) {
	i, err := m.b.lstat(m.base)
	if err != nil {
		return
	}
	parent := path.Dir(m.path)
	below := t.mountFor(parent)
	comps := split(strings.TrimPrefix(m.path, "/"))
	for k := range comps {
		p := "/" + strings.Join(comps[:k+1], "/")
		if t.mountFor(p) != below && p != m.path {
			continue
		}
		rel := below.rel(p)
		if _, err := below.b.lstat(rel); err == nil {
			continue
		}
		if p == m.path && !i.IsDir() {
			if h, err := below.b.open(rel, oWronly|oCreate, 0o644, kubelet); err == nil {
				h.Close()
			}
			continue
		}
		below.b.mkdir(rel, 0o755, kubelet)
	}
}

// mountFor returns the mount that holds the clean absolute path p.
func (t *Tree) mountFor(p string) *mount {
	for _, m := range t.mounts {
		if m.path == "/" || p == m.path || strings.HasPrefix(p, m.path+"/") {
			return m
		}
	}
	return nil
}

// rel returns the backend name of the clean absolute path p in m.
func (m *mount) rel(p string) string {
	if m.path == "/" {
		if p == "/" {
			return m.base
		}
		return join(m.base, p[1:])
	}
	if p == m.path {
		return m.base
	}
	return join(m.base, p[len(m.path)+1:])
}

// isMountPoint reports whether p is where something is mounted.
func (t *Tree) isMountPoint(p string) bool {
	for _, m := range t.mounts {
		if m.path == p {
			return true
		}
	}
	return false
}

// MountInfo is one line of /proc/mounts.
type MountInfo struct {
	Source, Path, Type string
	ReadOnly           bool
	Used, Limit        int64
}

// Mounts lists the tree's mounts, "/" first.
func (t *Tree) Mounts() []MountInfo {
	var out []MountInfo
	for k := len(t.mounts) - 1; k >= 0; k-- {
		m := t.mounts[k]
		used, limit := m.b.usage()
		out = append(out, MountInfo{Source: m.source, Path: m.path, Type: m.kind, ReadOnly: m.ro, Used: used, Limit: limit})
	}
	return out
}

// maxLinks is how many symbolic links a path may go through (ELOOP).
const maxLinks = 40

// loc is where a name leads: its clean path without symbolic links, its
// mount, and its info (nil where the last component does not exist).
type loc struct {
	path   string
	m      *mount
	rel    string
	i      *info
	parent *info // the directory holding it
}

// resolve walks name for cred from dir, component by component from "/":
// ".." goes to the parent of the real directory reached so far ("/" stays
// "/"), symbolic links are read and walked again from "/" or from where
// they are (the last one only if follow), and every directory passed must
// be searchable. Nothing but the tree's own mounts is ever reached.
func (t *Tree) resolve(cr Cred, pid int, dir, name string, follow bool) (loc, error) {
	switch {
	case name == "":
		return loc{}, errNotExist
	case len(name) > 4096:
		return loc{}, errTooLong
	}
	full := name
	if name[0] != '/' {
		full = dir + "/" + name
	}
	todo := split(full)
	trailingSlash := strings.HasSuffix(name, "/")
	type step struct {
		path string
		i    *info
	}
	rootM := t.mountFor("/")
	rootInfo, err := rootM.b.lstat(rootM.base)
	if err != nil {
		return loc{}, err
	}
	stack := []step{{"/", rootInfo}}
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		cur := stack[len(stack)-1]
		switch c {
		case ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if len(c) > 255 {
			return loc{}, errTooLong
		}
		if !cur.i.IsDir() {
			return loc{}, errNotDir
		}
		if !cr.can(cur.i, accX) {
			return loc{}, errAccess
		}
		next := path.Join(cur.path, c)
		m := t.mountFor(next)
		rel := m.rel(next)
		i, err := t.lstatIn(m, rel, pid)
		last := len(todo) == 0
		if err != nil {
			if err == errNotExist && last {
				return loc{path: next, m: m, rel: rel, parent: cur.i}, nil
			}
			return loc{}, err
		}
		if i.mode&fs.ModeSymlink != 0 && (!last || follow || trailingSlash) && !magicLink(m, rel) {
			if links++; links > maxLinks {
				return loc{}, errLoop
			}
			target, err := t.readlinkIn(m, rel, pid)
			if err != nil {
				return loc{}, err
			}
			if target == "" {
				return loc{}, errNotExist
			}
			if target[0] == '/' {
				stack = stack[:1]
			}
			todo = append(split(target), todo...)
			continue
		}
		if last {
			if trailingSlash && !i.IsDir() {
				return loc{}, errNotDir
			}
			return loc{path: next, m: m, rel: rel, i: i, parent: cur.i}, nil
		}
		stack = append(stack, step{next, i})
	}
	// Only "/" (or a path that comes back to it, or to a directory).
	top := stack[len(stack)-1]
	m := t.mountFor(top.path)
	var parent *info
	if len(stack) > 1 {
		parent = stack[len(stack)-2].i
	} else {
		parent = top.i
	}
	return loc{path: top.path, m: m, rel: m.rel(top.path), i: top.i, parent: parent}, nil
}

// lstatIn and readlinkIn give /proc/self its meaning: the caller's pid.
func (t *Tree) lstatIn(m *mount, rel string, pid int) (*info, error) {
	if p, ok := m.b.(*procFS); ok {
		return p.lstatFor(rel, pid)
	}
	return m.b.lstat(rel)
}

func (t *Tree) readlinkIn(m *mount, rel string, pid int) (string, error) {
	if p, ok := m.b.(*procFS); ok {
		return p.readlinkFor(rel, pid)
	}
	return m.b.readlink(rel)
}

// magicLink reports a /proc/PID/fd/N entry: opened as the descriptor it
// is, not followed.
func magicLink(m *mount, rel string) bool {
	if _, ok := m.b.(*procFS); !ok {
		return false
	}
	comps := split(rel)
	if len(comps) != 3 || comps[1] != "fd" {
		return false
	}
	_, err := strconv.Atoi(comps[2])
	return err == nil
}
