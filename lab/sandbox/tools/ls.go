package tools

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// lsEntry is a file ls shows.
type lsEntry struct {
	name string // as shown
	path string // to stat and read links
	fi   fs.FileInfo
}

type lsOpts struct {
	f       flags
	users   []account
	groups  []account
	columns bool
	width   int
	now     time.Time
}

func ls(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "1aAlRdhStrFpinsLHcuCxew:", map[string]byte{"color": 'e', "color=": 'e',
		"all": 'a', "almost-all": 'A', "human-readable": 'h', "recursive": 'R', "directory": 'd'}, false)
	if !ok {
		return c.usage()
	}
	o := &lsOpts{f: f, now: time.Now(), width: 80}
	if f.has('l') || f.has('n') {
		o.users, o.groups = accounts(c, false), accounts(c, true)
	}
	o.columns = !f.has('1') && !f.has('l') && !f.has('n') && (f.has('C') || f.has('x') || isTerminal(c.p.Stdout))
	if w, err := strconv.Atoi(getenv(c.p.Env, "COLUMNS")); err == nil && w > 0 {
		o.width = w
	}
	if len(ops) == 0 {
		ops = []string{"."}
	}
	status := 0
	var files, dirs []lsEntry
	for _, op := range ops {
		var fi fs.FileInfo
		var err error
		if f.has('L') || f.has('H') || !f.has('l') && !f.has('d') && !f.has('F') {
			fi, err = c.p.FS.Stat(op)
		} else {
			fi, err = c.p.FS.Lstat(op)
		}
		if err != nil {
			if li, lerr := c.p.FS.Lstat(op); lerr == nil {
				fi, err = li, nil
			}
		}
		if err != nil {
			c.perror(op, err)
			status = 1
			continue
		}
		e := lsEntry{name: op, path: op, fi: fi}
		if fi.IsDir() && !f.has('d') {
			dirs = append(dirs, e)
		} else {
			files = append(files, e)
		}
	}
	o.sort(files)
	o.sort(dirs)
	c.lsList(o, files, "")
	for k, d := range dirs {
		if len(files) > 0 || k > 0 {
			c.out.WriteString("\n")
		}
		if len(ops) > 1 || f.has('R') {
			fmt.Fprintf(c.out, "%s:\n", d.name)
		}
		if c.lsDir(o, d.path) != 0 {
			status = 1
		}
	}
	return status
}

// lsDir lists a directory, and with -R its subdirectories.
func (c *cmd) lsDir(o *lsOpts, dir string) int {
	des, err := c.p.FS.ReadDir(dir)
	if err != nil {
		c.perror(dir, err)
		return 1
	}
	var list []lsEntry
	if o.f.has('a') {
		for _, n := range []string{".", ".."} {
			if fi, err := c.p.FS.Stat(path.Join(dir, n)); err == nil {
				list = append(list, lsEntry{name: n, path: path.Join(dir, n), fi: fi})
			}
		}
	}
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") && !o.f.has('a') && !o.f.has('A') {
			continue
		}
		p := path.Join(dir, de.Name())
		fi, err := de.Info()
		if o.f.has('L') {
			if si, serr := c.p.FS.Stat(p); serr == nil {
				fi = si
			}
		}
		if err != nil {
			continue
		}
		list = append(list, lsEntry{name: de.Name(), path: p, fi: fi})
	}
	o.sort(list)
	if o.f.has('l') || o.f.has('n') || o.f.has('s') {
		var total int64
		for _, e := range list {
			total += blocks(e.fi)
		}
		fmt.Fprintf(c.out, "total %d\n", total)
	}
	c.lsList(o, list, dir)
	status := 0
	if o.f.has('R') {
		for _, e := range list {
			if e.fi.IsDir() && e.name != "." && e.name != ".." {
				fmt.Fprintf(c.out, "\n%s:\n", e.path)
				if c.stopped() || c.lsDir(o, e.path) != 0 {
					status = 1
				}
			}
		}
	}
	return status
}

// blocks is a file's size on disk in KiB, as ls -s and du count it.
func blocks(fi fs.FileInfo) int64 {
	if fi.Mode()&fs.ModeSymlink != 0 || fi.Mode()&fs.ModeDevice != 0 {
		return 0
	}
	return (fi.Size() + 4095) / 4096 * 4
}

func (o *lsOpts) sort(list []lsEntry) {
	cmp := func(a, b lsEntry) int { return strings.Compare(a.name, b.name) }
	switch {
	case o.f.has('S'):
		cmp = func(a, b lsEntry) int {
			if a.fi.Size() != b.fi.Size() {
				return int(b.fi.Size() - a.fi.Size())
			}
			return strings.Compare(a.name, b.name)
		}
	case o.f.has('t'):
		cmp = func(a, b lsEntry) int { return b.fi.ModTime().Compare(a.fi.ModTime()) }
	}
	slices.SortStableFunc(list, cmp)
	if o.f.has('r') {
		slices.Reverse(list)
	}
}

// lsList prints entries, long or short.
func (c *cmd) lsList(o *lsOpts, list []lsEntry, dir string) {
	if len(list) == 0 {
		return
	}
	if !o.f.has('l') && !o.f.has('n') {
		names := make([]string, len(list))
		for k, e := range list {
			names[k] = o.prefix(e) + e.name + o.suffix(e.fi)
		}
		if o.columns {
			columns(c, names, o.width)
		} else {
			for _, n := range names {
				fmt.Fprintln(c.out, n)
			}
		}
		return
	}
	for _, e := range list {
		st := sandbox.StatOf(e.fi)
		user, group := strconv.Itoa(st.UID), strconv.Itoa(st.GID)
		if !o.f.has('n') {
			if s, ok := nameOf(o.users, st.UID); ok {
				user = s
			}
			if s, ok := nameOf(o.groups, st.GID); ok {
				group = s
			}
		}
		size := strconv.FormatInt(e.fi.Size(), 10)
		if o.f.has('h') {
			size = human(e.fi.Size())
		}
		name := e.name + o.suffix(e.fi)
		if e.fi.Mode()&fs.ModeSymlink != 0 {
			if t, err := c.p.FS.Readlink(e.path); err == nil {
				name = e.name + " -> " + t
			}
		}
		fmt.Fprintf(c.out, "%s%s %4d %-8s %-8s %9s %s %s\n", o.prefix(e), modeString(e.fi.Mode()), st.Nlink,
			user, group, size, lsTime(e.fi.ModTime(), o.now), name)
	}
}

func (o *lsOpts) prefix(e lsEntry) string {
	var p string
	if o.f.has('i') {
		p += fmt.Sprintf("%8d ", sandbox.StatOf(e.fi).Ino)
	}
	if o.f.has('s') {
		p += fmt.Sprintf("%4d ", blocks(e.fi))
	}
	return p
}

func (o *lsOpts) suffix(fi fs.FileInfo) string {
	m := fi.Mode()
	switch {
	case (o.f.has('F') || o.f.has('p')) && m.IsDir():
		return "/"
	case !o.f.has('F'):
	case m&fs.ModeSymlink != 0:
		return "@"
	case m&fs.ModeNamedPipe != 0:
		return "|"
	case m&fs.ModeSocket != 0:
		return "="
	case m.IsRegular() && m&0o111 != 0:
		return "*"
	}
	return ""
}

// lsTime is ls -l's date: the time within six months, else the year.
func lsTime(t, now time.Time) string {
	t = t.UTC()
	if now.Sub(t) > 182*24*time.Hour || t.Sub(now) > time.Hour {
		return t.Format("Jan _2  2006")
	}
	return t.Format("Jan _2 15:04")
}

// columns prints names down columns, as ls does on a terminal.
func columns(c *cmd, names []string, width int) {
	wide := 0
	for _, n := range names {
		wide = max(wide, len(n))
	}
	colw := wide + 2
	cols := max(1, width/colw)
	rows := (len(names) + cols - 1) / cols
	for r := range rows {
		var line strings.Builder
		for col := range cols {
			k := col*rows + r
			if k >= len(names) {
				break
			}
			if col+1 < cols && (col+1)*rows+r < len(names) {
				fmt.Fprintf(&line, "%-*s", colw, names[k])
			} else {
				line.WriteString(names[k])
			}
		}
		fmt.Fprintln(c.out, line.String())
	}
}

// modeString is ls's -rwxr-xr-x.
func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	}
	const rwx = "rwxrwxrwx"
	for k := range 9 {
		if m&(1<<uint(8-k)) != 0 {
			b[k+1] = rwx[k]
		}
	}
	if m&fs.ModeSetuid != 0 {
		b[3] = "Ss"[min(1, int(m>>6&1))]
	}
	if m&fs.ModeSetgid != 0 {
		b[6] = "Ss"[min(1, int(m>>3&1))]
	}
	if m&fs.ModeSticky != 0 {
		b[9] = "Tt"[min(1, int(m&1))]
	}
	return string(b)
}

// human is -h's size: 1.5K, 23.0M.
func human(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	f := float64(n)
	for _, u := range []string{"K", "M", "G", "T"} {
		f /= 1024
		if f < 1024 {
			return fmt.Sprintf("%.1f%s", f, u)
		}
	}
	return fmt.Sprintf("%.1fP", f/1024)
}

// isTerminal reports whether w is a terminal (kubectl exec -t).
func isTerminal(w any) bool {
	t, ok := w.(interface{ Terminal() bool })
	return ok && t.Terminal()
}

func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}
