package vfs

import (
	"io"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// info is what the tree knows of a file, and its fs.FileInfo.
type info struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	stat  sandbox.Stat
}

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.size }
func (i *info) Mode() fs.FileMode  { return i.mode }
func (i *info) ModTime() time.Time { return i.mtime }
func (i *info) IsDir() bool        { return i.mode.IsDir() }
func (i *info) Sys() any           { return &i.stat }

// renamed returns a copy of i under another name.
func (i *info) renamed(name string) *info {
	c := *i
	c.name = name
	return &c
}

// dirEntry is an fs.DirEntry of an info.
type dirEntry struct{ i *info }

func (d dirEntry) Name() string               { return d.i.name }
func (d dirEntry) IsDir() bool                { return d.i.IsDir() }
func (d dirEntry) Type() fs.FileMode          { return d.i.mode.Type() }
func (d dirEntry) Info() (fs.FileInfo, error) { return d.i, nil }

func entries(infos []*info) []fs.DirEntry {
	out := make([]fs.DirEntry, len(infos))
	for k, i := range infos {
		out[k] = dirEntry{i}
	}
	return out
}

// epoch is the time of the files of an image that gives none.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Errors are syscall.Errno, so that errors.Is(err, fs.ErrNotExist) holds
// and programs print the C library's text (sandbox.Strerror).
const (
	errNotExist  = syscall.ENOENT
	errExist     = syscall.EEXIST
	errNotDir    = syscall.ENOTDIR
	errIsDir     = syscall.EISDIR
	errNotEmpty  = syscall.ENOTEMPTY
	errAccess    = syscall.EACCES
	errPerm      = syscall.EPERM
	errReadOnly  = syscall.EROFS
	errNoSpace   = syscall.ENOSPC
	errLoop      = syscall.ELOOP
	errCrossDev  = syscall.EXDEV
	errBusy      = syscall.EBUSY
	errInvalid   = syscall.EINVAL
	errTooLong   = syscall.ENAMETOOLONG
	errBadFD     = syscall.EBADF
	errNotSup    = syscall.ENOTSUP
	errFileLarge = syscall.EFBIG
)

func sortInfos(infos []*info) {
	slices.SortFunc(infos, func(a, b *info) int { return strings.Compare(a.name, b.name) })
}

var errEOF = io.EOF

const (
	errNoDevice = syscall.ENXIO
	errSpipe    = syscall.ESPIPE
)
