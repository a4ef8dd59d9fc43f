package vfs

import (
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// backend is a file system mounted in the tree: a memory tree, the overlay
// of an image, a volume's directory, /proc. Its names are relative to its
// root, clean and without symbolic links but maybe the last component ("."
// is the root). Permission checks are the tree's; a backend only refuses
// what its nature refuses. Errors are bare syscall.Errno.
type backend interface {
	lstat(rel string) (*info, error)
	readlink(rel string) (string, error)
	readDir(rel string) ([]*info, error)
	// open opens rel, creating it where flag has O_CREATE; rel is not a
	// symbolic link.
	open(rel string, flag int, perm fs.FileMode, o *opener) (handle, error)
	mkdir(rel string, perm fs.FileMode, o *opener) error
	symlink(target, rel string, o *opener) error
	// remove removes a file, a symbolic link or an empty directory.
	remove(rel string) error
	rename(oldrel, newrel string) error
	chmod(rel string, mode fs.FileMode) error
	chown(rel string, uid, gid int) error
	chtimes(rel string, atime, mtime time.Time) error
	// usage returns the bytes used and the size limit (0: none).
	usage() (used, limit int64)
}

// opener is the process that opens or creates a file.
type opener struct {
	cred  Cred
	pid   int
	stdio *Stdio
}

// Stdio is a process's standard input, output and error: what /dev/stdin,
// /dev/stdout, /dev/stderr and /proc/self/fd/0-2 open.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// handle is an open file of a backend.
type handle interface {
	io.Reader
	io.Writer
	io.Seeker
	io.Closer
	stat() (*info, error)
	readDir(n int) ([]*info, error)
}

// quota is the size limit of a writable place (ENOSPC past it).
type quota struct {
	mu    sync.Mutex
	used  int64
	limit int64 // 0: none
}

func (q *quota) grow(n int64) error {
	if q == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if n > 0 && q.limit > 0 && q.used+n > q.limit {
		return errNoSpace
	}
	q.used += n
	if q.used < 0 {
		q.used = 0
	}
	return nil
}

func (q *quota) get() (used, limit int64) {
	if q == nil {
		return 0, 0
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.used, q.limit
}

// split splits a backend name into its components ("." has none).
func split(rel string) []string {
	if rel == "." || rel == "" {
		return nil
	}
	var out []string
	for len(rel) > 0 {
		i := 0
		for i < len(rel) && rel[i] != '/' {
			i++
		}
		if i > 0 {
			out = append(out, rel[:i])
		}
		if i == len(rel) {
			break
		}
		rel = rel[i+1:]
	}
	return out
}

// dirAndBase splits rel into its parent and its last component.
func dirAndBase(rel string) (dir, base string) {
	for i := len(rel) - 1; i >= 0; i-- {
		if rel[i] == '/' {
			return rel[:i], rel[i+1:]
		}
	}
	return ".", rel
}

func join(dir, name string) string {
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}

// The open flags, as os's.
const (
	oRdonly = os.O_RDONLY
	oWronly = os.O_WRONLY
	oRdwr   = os.O_RDWR
	oCreate = os.O_CREATE
	oExcl   = os.O_EXCL
	oTrunc  = os.O_TRUNC
	oAppend = os.O_APPEND
	oAccess = oRdonly | oWronly | oRdwr
)

type sandboxStat = sandbox.Stat

func writable(flag int) bool { return flag&(oWronly|oRdwr) != 0 }
func readable(flag int) bool { return flag&oWronly == 0 }
