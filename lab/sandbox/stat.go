package sandbox

import (
	"errors"
	"io/fs"
	"syscall"
	"time"
)

// Stat is what the FileInfo of a container's file returns from Sys(): what
// stat(2) says beyond fs.FileInfo. An image layer's file (an fstest.MapFile,
// say) may carry one as its Sys value to give its owner; without one, the
// owner is root.
type Stat struct {
	UID, GID int
	Ino      uint64
	Nlink    int
	Dev      uint64
	Atime    time.Time
	Ctime    time.Time
}

// Owner returns the file's user and group ids.
func (s *Stat) Owner() (uid, gid int) { return s.UID, s.GID }

// AccessTime returns the file's last access time.
func (s *Stat) AccessTime() time.Time { return s.Atime }

// StatOf returns the Stat of a container's file info; a zero Stat (root's)
// where it has none.
func StatOf(info fs.FileInfo) *Stat {
	if s, ok := info.Sys().(*Stat); ok && s != nil {
		return s
	}
	return &Stat{Nlink: 1, Atime: info.ModTime(), Ctime: info.ModTime()}
}

// Strerror returns the C library's text for the errno behind err ("No such
// file or directory", "Permission denied"), as busybox prints them; for an
// error without one, its own text.
func Strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if s, ok := strerror[errno]; ok {
			return s
		}
		return errno.Error()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return strerror[syscall.ENOENT]
	case errors.Is(err, fs.ErrPermission):
		return strerror[syscall.EACCES]
	case errors.Is(err, fs.ErrExist):
		return strerror[syscall.EEXIST]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// strerror holds glibc's texts of the errors a container's programs meet.
var strerror = map[syscall.Errno]string{
	syscall.EPERM:        "Operation not permitted",
	syscall.ENOENT:       "No such file or directory",
	syscall.ESRCH:        "No such process",
	syscall.EINTR:        "Interrupted system call",
	syscall.EIO:          "Input/output error",
	syscall.E2BIG:        "Argument list too long",
	syscall.ENOEXEC:      "Exec format error",
	syscall.EBADF:        "Bad file descriptor",
	syscall.EAGAIN:       "Resource temporarily unavailable",
	syscall.ENOMEM:       "Cannot allocate memory",
	syscall.EACCES:       "Permission denied",
	syscall.EBUSY:        "Device or resource busy",
	syscall.EEXIST:       "File exists",
	syscall.EXDEV:        "Invalid cross-device link",
	syscall.ENOTDIR:      "Not a directory",
	syscall.EISDIR:       "Is a directory",
	syscall.EINVAL:       "Invalid argument",
	syscall.EMFILE:       "Too many open files",
	syscall.EFBIG:        "File too large",
	syscall.ENOSPC:       "No space left on device",
	syscall.ESPIPE:       "Illegal seek",
	syscall.EROFS:        "Read-only file system",
	syscall.EMLINK:       "Too many links",
	syscall.EPIPE:        "Broken pipe",
	syscall.ENAMETOOLONG: "File name too long",
	syscall.ENOTEMPTY:    "Directory not empty",
	syscall.ELOOP:        "Too many levels of symbolic links",
	syscall.ENOTSUP:      "Operation not supported",
	syscall.EADDRINUSE:   "Address in use",
	syscall.ECONNREFUSED: "Connection refused",
	syscall.ECONNRESET:   "Connection reset by peer",
	syscall.ETIMEDOUT:    "Connection timed out",
	syscall.EHOSTUNREACH: "No route to host",
	syscall.ENETUNREACH:  "Network is unreachable",
	syscall.ETXTBSY:      "Text file busy",
	syscall.ENXIO:        "No such device or address",
}
