package vfs

import (
	"io"
	"io/fs"
)

// lowerHandle is an image file opened for reading.
type lowerHandle struct {
	f fs.File
	i *info
}

func (h *lowerHandle) Read(b []byte) (int, error) { return h.f.Read(b) }
func (h *lowerHandle) Write([]byte) (int, error)  { return 0, errBadFD }
func (h *lowerHandle) Close() error               { return h.f.Close() }
func (h *lowerHandle) stat() (*info, error)       { return h.i, nil }
func (h *lowerHandle) readDir(int) ([]*info, error) {
	return nil, errNotDir
}

func (h *lowerHandle) Seek(off int64, whence int) (int64, error) {
	if s, ok := h.f.(io.Seeker); ok {
		return s.Seek(off, whence)
	}
	return 0, errNotSup
}

// listHandle is an open directory whose entries were listed when opened.
type listHandle struct {
	i   *info
	all []*info
	off int
}

func (h *listHandle) Read([]byte) (int, error)  { return 0, errIsDir }
func (h *listHandle) Write([]byte) (int, error) { return 0, errBadFD }
func (h *listHandle) Close() error              { return nil }
func (h *listHandle) stat() (*info, error)      { return h.i, nil }
func (h *listHandle) readDir(n int) ([]*info, error) {
	return pageDir(h.all, &h.off, n)
}

func (h *listHandle) Seek(off int64, whence int) (int64, error) {
	if off == 0 && whence == io.SeekStart {
		h.off = 0
		return 0, nil
	}
	return 0, errInvalid
}

// dataHandle reads bytes made when the file was opened.
type dataHandle struct {
	i    *info
	data []byte
	off  int64
}

func (h *dataHandle) Read(b []byte) (int, error) {
	if h.off >= int64(len(h.data)) {
		return 0, io.EOF
	}
	n := copy(b, h.data[h.off:])
	h.off += int64(n)
	return n, nil
}

func (h *dataHandle) Write([]byte) (int, error) { return 0, errBadFD }
func (h *dataHandle) Close() error              { return nil }
func (h *dataHandle) stat() (*info, error)      { return h.i, nil }
func (h *dataHandle) readDir(int) ([]*info, error) {
	return nil, errNotDir
}

func (h *dataHandle) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += h.off
	case io.SeekEnd:
		off += int64(len(h.data))
	}
	if off < 0 {
		return 0, errInvalid
	}
	h.off = off
	return off, nil
}
