package tools

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

func cat(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "nbvteAu", nil, false)
	if !ok {
		return c.usage()
	}
	if f.has('n') || f.has('b') {
		n := 0
		return c.eachInput(files, true, func(_ string, r io.Reader) error {
			return c.lines(r, func(line string) bool {
				if line == "" && f.has('b') {
					c.out.WriteString("\n")
					return true
				}
				n++
				fmt.Fprintf(c.out, "%6d\t%s\n", n, line)
				return true
			})
		})
	}
	return c.eachInput(files, true, func(_ string, r io.Reader) error {
		c.out.Flush()
		_, err := io.Copy(c.p.Stdout, ctxReader{c.ctx, r})
		if errors.Is(err, syscall.EPIPE) {
			return nil
		}
		return err
	})
}

func touch(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "cd:t:r:amh", map[string]byte{"no-create": 'c', "date=": 'd'}, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	when := time.Now()
	if d, ok := f.val('d'); ok {
		t, err := parseDate(d, when)
		if err != nil {
			c.errf("invalid date '%s'", d)
			return 1
		}
		when = t
	}
	if r, ok := f.val('r'); ok {
		fi, err := c.p.FS.Stat(r)
		if err != nil {
			c.perror(r, err)
			return 1
		}
		when = fi.ModTime()
	}
	status := 0
	for _, name := range ops {
		err := c.p.FS.Chtimes(name, when, when)
		if errors.Is(err, fs.ErrNotExist) && !f.has('c') {
			var fl sandbox.File
			if fl, err = c.p.FS.OpenFile(name, os.O_WRONLY|os.O_CREATE, 0o666); err == nil {
				fl.Close()
				if f.has('d') || f.has('r') {
					err = c.p.FS.Chtimes(name, when, when)
				}
			}
		}
		if err != nil && !(f.has('c') && errors.Is(err, fs.ErrNotExist)) {
			c.perror(name, err)
			status = 1
		}
	}
	return status
}

func mkdir(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "pm:v", map[string]byte{"parents": 'p', "mode=": 'm'}, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	mode := fs.FileMode(0o777)
	if m, ok := f.val('m'); ok {
		mm, err := parseMode(m, 0o777, 0)
		if err != nil {
			c.errf("invalid mode '%s'", m)
			return 1
		}
		mode = mm
	}
	status := 0
	for _, name := range ops {
		var err error
		if f.has('p') {
			err = c.p.FS.MkdirAll(name, 0o777)
		} else {
			err = c.p.FS.Mkdir(name, 0o777)
		}
		if err == nil && f.has('m') {
			err = chmodFS(c, name, mode)
		}
		if err != nil {
			c.errf("can't create directory '%s': %s", name, sandbox.Strerror(err))
			status = 1
		}
	}
	return status
}

func rmdir(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "p", map[string]byte{"parents": 'p', "ignore-fail-on-non-empty": 'i'}, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	status := 0
	for _, name := range ops {
		for {
			fi, err := c.p.FS.Lstat(name)
			if err == nil && !fi.IsDir() {
				err = syscall.ENOTDIR
			}
			if err == nil {
				err = c.p.FS.Remove(name)
			}
			if err != nil {
				c.errf("'%s': %s", name, sandbox.Strerror(err))
				status = 1
				break
			}
			if !f.has('p') {
				break
			}
			if name = dirOf(name); name == "." || name == "/" {
				break
			}
		}
	}
	return status
}

func rm(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "rRfiv", map[string]byte{"recursive": 'r', "force": 'f'}, false)
	if !ok {
		return c.usage()
	}
	if len(ops) == 0 && !f.has('f') {
		return c.usage()
	}
	status := 0
	for _, name := range ops {
		if c.stopped() {
			return 1
		}
		if c.rmOne(name, f.has('r') || f.has('R'), f.has('f')) != nil {
			status = 1
		}
	}
	return status
}

func (c *cmd) rmOne(name string, recursive, force bool) error {
	fi, err := c.p.FS.Lstat(name)
	if err != nil {
		if !force || !errors.Is(err, fs.ErrNotExist) {
			c.errf("can't remove '%s': %s", name, sandbox.Strerror(err))
			return err
		}
		return nil
	}
	if fi.IsDir() {
		if !recursive {
			c.errf("'%s' is a directory", name)
			return syscall.EISDIR
		}
		des, err := c.p.FS.ReadDir(name)
		if err != nil {
			c.errf("can't remove '%s': %s", name, sandbox.Strerror(err))
			return err
		}
		var first error
		for _, de := range des {
			if err := c.rmOne(path.Join(name, de.Name()), recursive, force); err != nil && first == nil {
				first = err
			}
		}
		if first != nil {
			return first
		}
	}
	if err := c.p.FS.Remove(name); err != nil {
		c.errf("can't remove '%s': %s", name, sandbox.Strerror(err))
		return err
	}
	return nil
}

func ln(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "sfnTv", map[string]byte{"symbolic": 's', "force": 'f'}, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	if len(ops) == 1 {
		ops = append(ops, path.Base(ops[0]))
	}
	targets, dest := ops[:len(ops)-1], ops[len(ops)-1]
	destDir := false
	if fi, err := c.p.FS.Stat(dest); err == nil && fi.IsDir() && !f.has('n') {
		destDir = true
	}
	if len(targets) > 1 && !destDir {
		c.errf("'%s' is not a directory", dest)
		return 1
	}
	status := 0
	for _, t := range targets {
		name := dest
		if destDir {
			name = path.Join(dest, path.Base(t))
		}
		if f.has('f') {
			if fi, err := c.p.FS.Lstat(name); err == nil && !fi.IsDir() {
				c.p.FS.Remove(name)
			}
		}
		var err error
		if f.has('s') {
			err = c.p.FS.Symlink(t, name)
		} else {
			err = hardLink(c, t, name)
		}
		if err != nil {
			c.perror(name, err)
			status = 1
		}
	}
	return status
}

// hardLink makes a hard link; the tree has none, so it copies the file
// (a later write to one is not seen in the other: said in the README).
func hardLink(c *cmd, target, name string) error {
	fi, err := c.p.FS.Stat(target)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "link", Path: target, Err: syscall.EPERM}
	}
	if _, err := c.p.FS.Lstat(name); err == nil {
		return &fs.PathError{Op: "link", Path: name, Err: syscall.EEXIST}
	}
	return copyFile(c, target, name, fi, true)
}

func chmodCmd(c *cmd, args []string) int {
	// -x, -w are modes here, not options: read the options by hand.
	recursive := false
	var ops []string
	for k, a := range args {
		switch {
		case a == "--":
			ops = append(ops, args[k+1:]...)
		case a == "-R" || a == "--recursive":
			recursive = true
		case a == "-v" || a == "-c" || a == "-f":
		case len(ops) == 0 && strings.HasPrefix(a, "-") && strings.Trim(a[1:], "rwxXst") != "":
			c.errf("invalid option -- '%c'", a[1])
			return c.usage()
		default:
			ops = append(ops, a)
			continue
		}
		if a == "--" {
			break
		}
	}
	if len(ops) < 2 {
		return c.usage()
	}
	f := flags{set: map[byte]bool{'R': recursive}}
	spec, names := ops[0], ops[1:]
	status := 0
	var walk func(name string) error
	walk = func(name string) error {
		fi, err := c.p.FS.Stat(name)
		if err != nil {
			c.perror(name, err)
			return err
		}
		mode, err := parseMode(spec, fi.Mode()&(fs.ModePerm|fs.ModeSticky|fs.ModeSetuid|fs.ModeSetgid), fi.Mode())
		if err != nil {
			c.errf("invalid mode '%s'", spec)
			return err
		}
		if err := chmodFS(c, name, mode); err != nil {
			c.perror(name, err)
			return err
		}
		if f.has('R') && fi.IsDir() {
			des, _ := c.p.FS.ReadDir(name)
			for _, de := range des {
				if de.Type()&fs.ModeSymlink == 0 {
					walk(path.Join(name, de.Name()))
				}
			}
		}
		return nil
	}
	for _, n := range names {
		if walk(n) != nil {
			status = 1
		}
	}
	return status
}

// attrFS is what chmod and chown need of the container's file tree.
type attrFS interface {
	Chmod(name string, mode fs.FileMode) error
	Chown(name string, uid, gid int) error
}

func chmodFS(c *cmd, name string, mode fs.FileMode) error {
	a, ok := c.p.FS.(attrFS)
	if !ok {
		return &fs.PathError{Op: "chmod", Path: name, Err: syscall.ENOTSUP}
	}
	return a.Chmod(name, mode)
}

// parseMode reads an octal mode or symbolic clauses (u+x,go-w,a=r) that
// change old; X gives x where typ is a directory or has x already.
func parseMode(spec string, old, typ fs.FileMode) (fs.FileMode, error) {
	if n, err := strconv.ParseUint(spec, 8, 32); err == nil {
		m := fs.FileMode(n & 0o777)
		if n&0o4000 != 0 {
			m |= fs.ModeSetuid
		}
		if n&0o2000 != 0 {
			m |= fs.ModeSetgid
		}
		if n&0o1000 != 0 {
			m |= fs.ModeSticky
		}
		return m, nil
	}
	m := old
	for _, clause := range strings.Split(spec, ",") {
		i := 0
		var who fs.FileMode
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			who |= map[byte]fs.FileMode{'u': 0o700, 'g': 0o070, 'o': 0o007, 'a': 0o777}[clause[i]]
			i++
		}
		if who == 0 {
			who = 0o777 &^ 0o022
		}
		if i == len(clause) {
			return 0, errors.New("bad mode")
		}
		for i < len(clause) {
			op := clause[i]
			if strings.IndexByte("+-=", op) < 0 {
				return 0, errors.New("bad mode")
			}
			i++
			var bits, special fs.FileMode
			for i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0 {
				switch clause[i] {
				case 'r':
					bits |= 0o444
				case 'w':
					bits |= 0o222
				case 'x':
					bits |= 0o111
				case 'X':
					if typ.IsDir() || old&0o111 != 0 {
						bits |= 0o111
					}
				case 's':
					special |= fs.ModeSetuid | fs.ModeSetgid
				case 't':
					special |= fs.ModeSticky
				}
				i++
			}
			bits &= who
			switch op {
			case '+':
				m |= bits | special
			case '-':
				m &^= bits | special
			case '=':
				m = m&^who | bits | special
			}
		}
	}
	return m, nil
}

func chown(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "RhfvcLHP", map[string]byte{"recursive": 'R'}, false)
	if !ok || len(ops) < 2 {
		return c.usage()
	}
	owner, names := ops[0], ops[1:]
	uid, gid := -1, -1
	u, g, hasGroup := strings.Cut(owner, ":")
	if !hasGroup {
		u, g, hasGroup = strings.Cut(owner, ".")
	}
	if c.name == "chgrp" {
		u, g, hasGroup = "", owner, true
	}
	if u != "" {
		n, ok := idOf(accounts(c, false), u)
		if !ok {
			c.errf("unknown user %s", u)
			return 1
		}
		uid = n
	}
	if hasGroup && g != "" {
		n, ok := idOf(accounts(c, true), g)
		if !ok {
			c.errf("unknown group %s", g)
			return 1
		}
		gid = n
	}
	a, _ := c.p.FS.(attrFS)
	status := 0
	var walk func(string)
	walk = func(name string) {
		var err error
		if a == nil {
			err = syscall.ENOTSUP
		} else {
			err = a.Chown(name, uid, gid)
		}
		if err != nil {
			c.perror(name, err)
			status = 1
			return
		}
		if fi, err := c.p.FS.Lstat(name); err == nil && fi.IsDir() && f.has('R') {
			des, _ := c.p.FS.ReadDir(name)
			for _, de := range des {
				walk(path.Join(name, de.Name()))
			}
		}
	}
	for _, n := range names {
		walk(n)
	}
	return status
}
