package vfs

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Kernel is what /proc and /sys tell of a container: its processes and
// its resources, never the host's.
type Kernel interface {
	Procs() []ProcInfo
	Info() KernelInfo
}

// ProcInfo is a process of the container, as /proc/PID shows it.
type ProcInfo struct {
	PID, PPID, UID, GID int
	Args, Env           []string
	Dir, Exe            string
	State               byte // 'R', 'S', 'Z'
	Start               time.Time
	RSS                 int64
	CPU                 time.Duration
}

// KernelInfo is the container's view of its machine.
type KernelInfo struct {
	Hostname string
	// Boot is when the container started (its /proc/uptime counts from it).
	Boot time.Time
	// MemTotal and MemUsed are /proc/meminfo's, in bytes.
	MemTotal, MemUsed int64
	// MemLimit and CPULimit (cores) are the cgroup's limits; 0 for none.
	MemLimit int64
	CPULimit float64
	CPUs     int
}

type noKernel struct{}

func (noKernel) Procs() []ProcInfo { return nil }
func (noKernel) Info() KernelInfo {
	return KernelInfo{Hostname: "localhost", Boot: time.Now(), MemTotal: 2 << 30, CPUs: 1}
}

// KernelRelease is the kernel the containers say they run on (uname -r).
const KernelRelease = "6.1.0-kubelab"

// procFS is /proc, made up from the Kernel at each read.
type procFS struct{ t *Tree }

// procNode is one entry of /proc.
type procNode struct {
	mode   fs.FileMode
	uid    int
	target string
	data   func() []byte
	list   func() []string
}

func (p *procFS) proc(pid int) (ProcInfo, bool) {
	for _, pi := range p.t.kernel.Procs() {
		if pi.PID == pid {
			return pi, true
		}
	}
	return ProcInfo{}, false
}

func bytesOf(s string) func() []byte { return func() []byte { return []byte(s) } }

// node finds rel in /proc as process self sees it.
func (p *procFS) node(rel string, self int) (*procNode, error) {
	c := split(rel)
	dir := func(names ...string) *procNode {
		return &procNode{mode: fs.ModeDir | 0o555, list: func() []string { return names }}
	}
	file := func(f func() []byte) *procNode { return &procNode{mode: 0o444, data: f} }
	link := func(t string) *procNode { return &procNode{mode: fs.ModeSymlink | 0o777, target: t} }
	ki := p.t.kernel.Info()
	switch {
	case len(c) == 0:
		return &procNode{mode: fs.ModeDir | 0o555, list: p.rootList}, nil
	case len(c) == 1 && c[0] == "self":
		if self <= 0 {
			return nil, errNotExist
		}
		return link(strconv.Itoa(self)), nil
	case len(c) == 1 && c[0] == "mounts":
		return link("self/mounts"), nil
	case len(c) == 1 && staticProc[c[0]] != nil:
		return file(func() []byte { return staticProc[c[0]](p, ki) }), nil
	case c[0] == "sys":
		return p.sysNode(c[1:], ki, dir, file)
	}
	pid, err := strconv.Atoi(c[0])
	if err != nil {
		return nil, errNotExist
	}
	pi, ok := p.proc(pid)
	if !ok {
		return nil, errNotExist
	}
	var n *procNode
	switch {
	case len(c) == 1:
		n = dir("cmdline", "comm", "cwd", "environ", "exe", "fd", "mounts", "root", "stat", "status")
	case len(c) == 2:
		switch c[1] {
		case "cmdline":
			n = file(bytesOf(strings.Join(pi.Args, "\x00") + "\x00"))
		case "comm":
			n = file(bytesOf(comm(pi) + "\n"))
		case "environ":
			n = file(bytesOf(strings.Join(pi.Env, "\x00") + "\x00"))
			n.mode = 0o400
		case "status":
			n = file(func() []byte { return procStatus(pi) })
		case "stat":
			n = file(func() []byte { return procStat(pi, ki) })
		case "mounts":
			n = file(p.mounts)
		case "cwd":
			n = link(pi.Dir)
		case "root":
			n = link("/")
		case "exe":
			n = link(pi.Exe)
		case "fd":
			n = dir("0", "1", "2")
			n.mode = fs.ModeDir | 0o500
		}
	case len(c) == 3 && c[1] == "fd" && (c[2] == "0" || c[2] == "1" || c[2] == "2"):
		n = link(fmt.Sprintf("pipe:[%d]", 4000+pid*3+int(c[2][0]-'0')))
		n.mode = fs.ModeSymlink | 0o700
	}
	if n == nil {
		return nil, errNotExist
	}
	n.uid = pi.UID
	return n, nil
}

func comm(pi ProcInfo) string {
	if len(pi.Args) == 0 {
		return ""
	}
	name := pi.Args[0]
	if k := strings.LastIndexByte(name, '/'); k >= 0 {
		name = name[k+1:]
	}
	return name[:min(len(name), 15)]
}

func (p *procFS) rootList() []string {
	names := []string{"cmdline", "cpuinfo", "filesystems", "loadavg", "meminfo", "mounts", "self", "stat", "sys", "uptime", "version"}
	for _, pi := range p.t.kernel.Procs() {
		names = append(names, strconv.Itoa(pi.PID))
	}
	return names
}

func (p *procFS) sysNode(c []string, ki KernelInfo, dir func(...string) *procNode, file func(func() []byte) *procNode) (*procNode, error) {
	switch strings.Join(c, "/") {
	case "":
		return dir("kernel"), nil
	case "kernel":
		return dir("hostname", "osrelease", "ostype", "pid_max"), nil
	case "kernel/hostname":
		return file(bytesOf(ki.Hostname + "\n")), nil
	case "kernel/osrelease":
		return file(bytesOf(KernelRelease + "\n")), nil
	case "kernel/ostype":
		return file(bytesOf("Linux\n")), nil
	case "kernel/pid_max":
		return file(bytesOf("4194304\n")), nil
	}
	return nil, errNotExist
}

func (p *procFS) mounts() []byte {
	var b strings.Builder
	for _, m := range p.t.Mounts() {
		opt := "rw"
		if m.ReadOnly {
			opt = "ro"
		}
		fmt.Fprintf(&b, "%s %s %s %s,relatime 0 0\n", m.Source, m.Path, m.Type, opt)
	}
	return []byte(b.String())
}

func (p *procFS) infoOf(name string, n *procNode) *info {
	i := &info{name: name, mode: n.mode, mtime: p.t.kernel.Info().Boot}
	i.stat = sandboxStat{UID: n.uid, GID: n.uid, Nlink: 1, Ino: 1, Dev: 4, Atime: i.mtime, Ctime: i.mtime}
	if n.mode.IsDir() {
		i.stat.Nlink = 2
	}
	if n.mode&fs.ModeSymlink != 0 {
		i.size = int64(len(n.target))
	}
	return i
}

func (p *procFS) lstatFor(rel string, pid int) (*info, error) {
	n, err := p.node(rel, pid)
	if err != nil {
		return nil, err
	}
	return p.infoOf(baseName(rel), n), nil
}

func (p *procFS) readlinkFor(rel string, pid int) (string, error) {
	n, err := p.node(rel, pid)
	if err != nil {
		return "", err
	}
	if n.mode&fs.ModeSymlink == 0 {
		return "", errInvalid
	}
	return n.target, nil
}

func (p *procFS) lstat(rel string) (*info, error)     { return p.lstatFor(rel, 0) }
func (p *procFS) readlink(rel string) (string, error) { return p.readlinkFor(rel, 0) }

func (p *procFS) readDir(rel string) ([]*info, error) {
	n, err := p.node(rel, 0)
	if err != nil {
		return nil, err
	}
	if n.list == nil {
		return nil, errNotDir
	}
	var out []*info
	for _, name := range n.list() {
		if i, err := p.lstatFor(join(rel, name), 0); err == nil {
			out = append(out, i)
		} else if name == "self" {
			out = append(out, &info{name: "self", mode: fs.ModeSymlink | 0o777})
		}
	}
	sortInfos(out)
	return out, nil
}

func (p *procFS) open(rel string, flag int, _ fs.FileMode, o *opener) (handle, error) {
	if comps := split(rel); len(comps) == 3 && comps[1] == "fd" {
		pid, _ := strconv.Atoi(comps[0])
		if pid != o.pid || o.stdio == nil {
			return nil, errAccess
		}
		switch comps[2] {
		case "0":
			return &stdioHandle{name: "0", r: o.stdio.In}, nil
		case "1":
			return &stdioHandle{name: "1", w: o.stdio.Out}, nil
		default:
			return &stdioHandle{name: "2", w: o.stdio.Err}, nil
		}
	}
	if writable(flag) || flag&oCreate != 0 {
		return nil, errAccess
	}
	n, err := p.node(rel, o.pid)
	if err != nil {
		return nil, err
	}
	i := p.infoOf(baseName(rel), n)
	if n.list != nil {
		all, err := p.readDir(rel)
		if err != nil {
			return nil, err
		}
		return &listHandle{i: i, all: all}, nil
	}
	return &dataHandle{i: i, data: n.data()}, nil
}

func (p *procFS) mkdir(string, fs.FileMode, *opener) error   { return errAccess }
func (p *procFS) symlink(string, string, *opener) error      { return errAccess }
func (p *procFS) remove(string) error                        { return errAccess }
func (p *procFS) rename(string, string) error                { return errAccess }
func (p *procFS) chmod(string, fs.FileMode) error            { return errPerm }
func (p *procFS) chown(string, int, int) error               { return errPerm }
func (p *procFS) chtimes(string, time.Time, time.Time) error { return errPerm }
func (p *procFS) usage() (int64, int64)                      { return 0, 0 }
