package programs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// procFS is a container's files as an fs.FS (names relative to "/").
type procFS struct{ fs sandbox.FS }

func (f procFS) Open(name string) (fs.File, error) { return f.fs.Open("/" + name) }

func (f procFS) ReadDir(name string) ([]fs.DirEntry, error) { return f.fs.ReadDir("/" + name) }

func (f procFS) Stat(name string) (fs.FileInfo, error) { return f.fs.Stat("/" + name) }

// readFile reads a whole file of the container.
func readFile(fsys sandbox.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// writeFile writes a whole file of the container.
func writeFile(fsys sandbox.FS, name string, data []byte, perm fs.FileMode) error {
	f, err := fsys.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// errnoText is an error as C programs print it: "13: Permission denied".
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return fmt.Sprintf("%d: %s", int(errno), capitalize(errno.Error()))
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "2: No such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "13: Permission denied"
	case errors.Is(err, fs.ErrExist):
		return "17: File exists"
	}
	return err.Error()
}

// capitalize makes Go's errno text C's ("permission denied" -> "Permission denied").
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// sleepCtx waits d; it reports false when ctx ended first.
func sleepCtx(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// strerror is an error's C text alone: "Permission denied".
func strerror(err error) string {
	text := errnoText(err)
	if _, msg, ok := strings.Cut(text, ": "); ok {
		if _, numErr := fmt.Sscanf(text, "%d:", new(int)); numErr == nil {
			return msg
		}
	}
	return text
}
