package tools

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/kubelab/kubelab/lab/sandbox"
)

func cp(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "rRapfiPLdnuvT", map[string]byte{"recursive": 'r', "archive": 'a', "force": 'f'}, false)
	if !ok || len(ops) < 2 {
		return c.usage()
	}
	recursive := f.has('r') || f.has('R') || f.has('a')
	srcs, dest := ops[:len(ops)-1], ops[len(ops)-1]
	destDir := false
	if fi, err := c.p.FS.Stat(dest); err == nil && fi.IsDir() {
		destDir = true
	}
	if len(srcs) > 1 && !destDir {
		c.errf("'%s' is not a directory", dest)
		return 1
	}
	status := 0
	for _, src := range srcs {
		to := dest
		if destDir {
			to = path.Join(dest, path.Base(src))
		}
		if c.copyTree(src, to, recursive, f.has('a') || f.has('p'), f.has('n')) != nil {
			status = 1
		}
	}
	return status
}

// copyTree copies src to dst, a directory's content with recursive.
func (c *cmd) copyTree(src, dst string, recursive, keep, noClobber bool) error {
	fi, err := c.p.FS.Stat(src)
	if err != nil {
		c.errf("can't stat '%s': %s", src, sandbox.Strerror(err))
		return err
	}
	if !fi.IsDir() {
		if noClobber {
			if _, err := c.p.FS.Lstat(dst); err == nil {
				return nil
			}
		}
		if err := copyFile(c, src, dst, fi, keep); err != nil {
			c.errf("can't create '%s': %s", dst, sandbox.Strerror(err))
			return err
		}
		return nil
	}
	if !recursive {
		c.errf("omitting directory '%s'", src)
		return syscall.EISDIR
	}
	if err := c.p.FS.Mkdir(dst, fi.Mode().Perm()|0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		c.errf("can't create directory '%s': %s", dst, sandbox.Strerror(err))
		return err
	}
	des, err := c.p.FS.ReadDir(src)
	if err != nil {
		c.perror(src, err)
		return err
	}
	var first error
	for _, de := range des {
		if c.stopped() {
			return syscall.EINTR
		}
		s, d := path.Join(src, de.Name()), path.Join(dst, de.Name())
		if de.Type()&fs.ModeSymlink != 0 {
			if t, err := c.p.FS.Readlink(s); err == nil {
				c.p.FS.Remove(d)
				err = c.p.FS.Symlink(t, d)
				if err != nil && first == nil {
					c.perror(d, err)
					first = err
				}
				continue
			}
		}
		if err := c.copyTree(s, d, recursive, keep, noClobber); err != nil && first == nil {
			first = err
		}
	}
	chmodFS(c, dst, fi.Mode().Perm())
	return first
}

// copyFile copies a regular file's bytes and mode (and time with keep).
func copyFile(c *cmd, src, dst string, fi fs.FileInfo, keep bool) error {
	in, err := c.p.FS.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := c.p.FS.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, ctxReader{c.ctx, in})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && keep {
		c.p.FS.Chtimes(dst, fi.ModTime(), fi.ModTime())
	}
	return err
}

func mv(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "finvT", map[string]byte{"force": 'f'}, false)
	if !ok || len(ops) < 2 {
		return c.usage()
	}
	srcs, dest := ops[:len(ops)-1], ops[len(ops)-1]
	destDir := false
	if fi, err := c.p.FS.Stat(dest); err == nil && fi.IsDir() {
		destDir = true
	}
	if len(srcs) > 1 && !destDir {
		c.errf("'%s' is not a directory", dest)
		return 1
	}
	status := 0
	for _, src := range srcs {
		to := dest
		if destDir {
			to = path.Join(dest, path.Base(src))
		}
		if f.has('n') {
			if _, err := c.p.FS.Lstat(to); err == nil {
				continue
			}
		}
		err := c.p.FS.Rename(src, to)
		if errors.Is(err, syscall.EXDEV) {
			// Across file systems (or an image's directory): copy, then remove.
			if err = c.copyTree(src, to, true, true, false); err == nil {
				if err = c.p.FS.RemoveAll(src); err != nil {
					c.errf("can't remove '%s': %s", src, sandbox.Strerror(err))
				}
			}
			if err != nil {
				status = 1
			}
			continue
		}
		if err != nil {
			if _, serr := c.p.FS.Lstat(src); serr != nil {
				c.errf("can't rename '%s': %s", src, sandbox.Strerror(serr))
			} else {
				c.errf("can't rename '%s': %s", src, sandbox.Strerror(err))
			}
			status = 1
		}
	}
	return status
}
