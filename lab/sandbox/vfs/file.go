package vfs

import (
	"io/fs"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// file is an open file of a View: a sandbox.File.
type file struct {
	h    handle
	v    *View
	path string
}

var _ sandbox.File = (*file)(nil)

func (f *file) Read(b []byte) (int, error) {
	n, err := f.h.Read(b)
	return n, f.err("read", err)
}

func (f *file) Write(b []byte) (int, error) {
	n, err := f.h.Write(b)
	return n, f.err("write", err)
}

func (f *file) Seek(off int64, whence int) (int64, error) {
	n, err := f.h.Seek(off, whence)
	return n, f.err("seek", err)
}

func (f *file) Close() error { return f.err("close", f.h.Close()) }

func (f *file) Stat() (fs.FileInfo, error) {
	i, err := f.h.stat()
	if err != nil {
		return nil, f.err("stat", err)
	}
	return i, nil
}

func (f *file) ReadDir(n int) ([]fs.DirEntry, error) {
	infos, err := f.h.readDir(n)
	if err != nil && err != errEOF {
		return nil, f.err("readdirent", err)
	}
	return entries(f.v.t.overMounts(f.path, infos)), err
}

// err wraps an Errno in a PathError; io.EOF stays itself.
func (f *file) err(op string, err error) error {
	if err == nil || err == errEOF {
		return err
	}
	if _, ok := err.(*fs.PathError); ok {
		return err
	}
	return &fs.PathError{Op: op, Path: f.path, Err: err}
}
