package tools

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
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
