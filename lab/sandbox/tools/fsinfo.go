package tools

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

func fileType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeCharDevice != 0:
		return "character special file"
	case m&fs.ModeDevice != 0:
		return "block special file"
	case m&fs.ModeNamedPipe != 0:
		return "fifo"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "regular file"
}

func octal(m fs.FileMode) int {
	n := int(m.Perm())
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return n
}

func statCmd(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "c:Lft", map[string]byte{"format=": 'c', "dereference": 'L'}, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	users, groups := accounts(c, false), accounts(c, true)
	name := func(list []account, id int) string {
		if s, ok := nameOf(list, id); ok {
			return s
		}
		return "UNKNOWN"
	}
	status := 0
	for _, op := range ops {
		var fi fs.FileInfo
		var err error
		if f.has('L') {
			fi, err = c.p.FS.Stat(op)
		} else {
			fi, err = c.p.FS.Lstat(op)
		}
		if err != nil {
			c.errf("can't stat '%s': %s", op, sandbox.Strerror(err))
			status = 1
			continue
		}
		st := sandbox.StatOf(fi)
		if format, ok := f.val('c'); ok {
			fmt.Fprintln(c.out, statFormat(c, format, op, fi, st, func(u bool, id int) string {
				if u {
					return name(users, id)
				}
				return name(groups, id)
			}))
			continue
		}
		shown := op
		if fi.Mode()&fs.ModeSymlink != 0 {
			if t, err := c.p.FS.Readlink(op); err == nil {
				shown = fmt.Sprintf("'%s' -> '%s'", op, t)
			}
		}
		ts := func(t interface{ Format(string) string }) string {
			return t.Format("2006-01-02 15:04:05.000000000 -0700")
		}
		fmt.Fprintf(c.out, "  File: %s\n  Size: %-10d\tBlocks: %-10d IO Block: 4096   %s\n", shown, fi.Size(), blocks(fi)*2, fileType(fi.Mode()))
		fmt.Fprintf(c.out, "Device: %xh/%dd\tInode: %-11d Links: %d\n", st.Dev, st.Dev, st.Ino, st.Nlink)
		fmt.Fprintf(c.out, "Access: (%04o/%s)  Uid: (%5d/%8s)   Gid: (%5d/%8s)\n", octal(fi.Mode()), modeString(fi.Mode()),
			st.UID, name(users, st.UID), st.GID, name(groups, st.GID))
		fmt.Fprintf(c.out, "Access: %s\nModify: %s\nChange: %s\n", ts(st.Atime.UTC()), ts(fi.ModTime().UTC()), ts(st.Ctime.UTC()))
	}
	return status
}

func statFormat(c *cmd, format, op string, fi fs.FileInfo, st *sandbox.Stat, name func(bool, int) string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'n':
			b.WriteString(op)
		case 'N':
			b.WriteString("'" + op + "'")
		case 's':
			b.WriteString(strconv.FormatInt(fi.Size(), 10))
		case 'a':
			fmt.Fprintf(&b, "%o", octal(fi.Mode()))
		case 'A':
			b.WriteString(modeString(fi.Mode()))
		case 'F':
			b.WriteString(fileType(fi.Mode()))
		case 'u':
			b.WriteString(strconv.Itoa(st.UID))
		case 'U':
			b.WriteString(name(true, st.UID))
		case 'g':
			b.WriteString(strconv.Itoa(st.GID))
		case 'G':
			b.WriteString(name(false, st.GID))
		case 'i':
			fmt.Fprint(&b, st.Ino)
		case 'h':
			fmt.Fprint(&b, st.Nlink)
		case 'b':
			fmt.Fprint(&b, blocks(fi)*2)
		case 'Y':
			fmt.Fprint(&b, fi.ModTime().Unix())
		case 'y':
			b.WriteString(fi.ModTime().UTC().Format("2006-01-02 15:04:05.000000000 -0700"))
		case 'X':
			fmt.Fprint(&b, st.Atime.Unix())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func du(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "shkmacxLHld:", map[string]byte{"summarize": 's', "human-readable": 'h'}, false)
	if !ok {
		return c.usage()
	}
	if len(ops) == 0 {
		ops = []string{"."}
	}
	show := func(kb int64, name string) {
		size := strconv.FormatInt(kb, 10)
		switch {
		case f.has('h'):
			size = human(kb * 1024)
		case f.has('m'):
			size = strconv.FormatInt((kb+1023)/1024, 10)
		}
		fmt.Fprintf(c.out, "%s\t%s\n", size, name)
	}
	status, grand := 0, int64(0)
	var walk func(name string, depth int) (int64, bool)
	walk = func(name string, depth int) (int64, bool) {
		fi, err := c.p.FS.Lstat(name)
		if err != nil {
			c.errf("%s: %s", name, sandbox.Strerror(err))
			return 0, false
		}
		total := blocks(fi)
		ok := true
		if fi.IsDir() {
			des, err := c.p.FS.ReadDir(name)
			if err != nil {
				c.perror(name, err)
				ok = false
			}
			for _, de := range des {
				if c.stopped() {
					return total, false
				}
				n, sub := walk(path.Join(name, de.Name()), depth+1)
				total += n
				ok = ok && sub
			}
			if !f.has('s') || depth == 0 {
				show(total, name)
			}
		} else if f.has('a') || depth == 0 {
			show(total, name)
		}
		return total, ok
	}
	for _, op := range ops {
		n, ok := walk(op, 0)
		grand += n
		if !ok {
			status = 1
		}
	}
	if f.has('c') {
		show(grand, "total")
	}
	return status
}

// statfsFS is what df and mount need of the container's file tree.
type statfsFS interface {
	Statfs(name string) (vfs.MountInfo, error)
	Mounts() []vfs.MountInfo
}

// nodeDisk is the size df shows for a volume without a limit: a node's
// disk, made up.
const nodeDisk = 100 << 30

func df(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "hkmaPTt:", map[string]byte{"human-readable": 'h'}, false)
	if !ok {
		return c.usage()
	}
	sf, isVFS := c.p.FS.(statfsFS)
	if !isVFS {
		c.errf("no file systems")
		return 1
	}
	var list []vfs.MountInfo
	status := 0
	if len(ops) == 0 {
		for _, m := range sf.Mounts() {
			if m.Type != "proc" && m.Type != "sysfs" || f.has('a') {
				list = append(list, m)
			}
		}
	}
	for _, op := range ops {
		m, err := sf.Statfs(op)
		if err != nil {
			c.perror(op, err)
			status = 1
			continue
		}
		list = append(list, m)
	}
	unit, head := int64(1024), "1K-blocks"
	switch {
	case f.has('h'):
		head = "Size"
	case f.has('m'):
		unit, head = 1<<20, "1M-blocks"
	}
	fmt.Fprintf(c.out, "%-20s %9s %9s %9s %3s%% %s\n", "Filesystem", head, "Used", "Available", "Use", "Mounted on")
	for _, m := range list {
		total := m.Limit
		if total == 0 {
			total = nodeDisk
		}
		if m.Type == "proc" || m.Type == "sysfs" {
			total = 0
		}
		avail := max(0, total-m.Used)
		pct := int64(0)
		if total > 0 {
			pct = (m.Used*100 + total - 1) / total
		}
		n := func(b int64) string {
			if f.has('h') {
				return human(b)
			}
			return strconv.FormatInt((b+unit-1)/unit, 10)
		}
		src := m.Source
		if len(src) > 20 {
			fmt.Fprintln(c.out, src)
			src = ""
		}
		fmt.Fprintf(c.out, "%-20s %9s %9s %9s %3d%% %s\n", src, n(total), n(m.Used), n(avail), pct, m.Path)
	}
	return status
}

func mount(c *cmd, args []string) int {
	if len(args) > 0 && args[0] != "-l" {
		c.errf("permission denied (are you root?)")
		return 1
	}
	sf, ok := c.p.FS.(statfsFS)
	if !ok {
		return 0
	}
	for _, m := range sf.Mounts() {
		opt := "rw"
		if m.ReadOnly {
			opt = "ro"
		}
		fmt.Fprintf(c.out, "%s on %s type %s (%s,relatime)\n", m.Source, m.Path, m.Type, opt)
	}
	return 0
}
