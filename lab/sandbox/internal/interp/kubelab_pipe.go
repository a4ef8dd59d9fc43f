// kubelab: the runner's pipes are in memory, as upstream's js/wasm build
// has them, never OS pipes: a pipeline costs no file descriptor of the
// kubelab process, and a read blocked on one stops when its deadline passes.

package interp

import (
	"io"
	"os"
	"sync"
	"syscall"
	"time"
)

// stdinFile is the runner's standard input: a reader whose blocked reads a
// deadline stops (read uses it to stop on cancellation).
type stdinFile interface {
	io.ReadCloser
	SetReadDeadline(t time.Time) error
}

// readWriteCloser is what the open handler returns.
type readWriteCloser = io.ReadWriteCloser

// readerFile adapts a reader that never blocks (a here-document, a file
// of the container) into a stdinFile.
type readerFile struct{ io.Reader }

func (r readerFile) Close() error {
	if c, ok := r.Reader.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (readerFile) SetReadDeadline(time.Time) error { return nil }

// newStdinFile makes a reader the runner's stdin: a stdinFile as is, any
// other reader behind a pipe that a goroutine fills.
func newStdinFile(r io.Reader) (stdinFile, error) {
	switch r := r.(type) {
	case nil:
		return nil, nil
	case stdinFile:
		return r, nil
	default:
		pr, pw := newPipe()
		go func() {
			_, err := io.Copy(pw, r)
			pw.CloseWithError(err)
		}()
		return pr, nil
	}
}

// Pipe is an in-memory pipe with a buffer, as a kernel's: writes block once
// it holds pipeBuffer bytes; reads block until data, end of file or the
// read deadline. Closing the read end fails later writes with EPIPE.
type Pipe struct {
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	wclosed  bool
	werr     error
	rclosed  bool
	deadline time.Time
	timer    *time.Timer
}

const pipeBuffer = 64 << 10

// PipeReader and PipeWriter are the two ends of a Pipe.
type (
	PipeReader struct{ p *Pipe }
	PipeWriter struct{ p *Pipe }
)

// NewPipe returns the two ends of an in-memory pipe.
func NewPipe() (*PipeReader, *PipeWriter) {
	p := &Pipe{}
	p.cond = sync.NewCond(&p.mu)
	return &PipeReader{p}, &PipeWriter{p}
}

func newPipe() (*PipeReader, *PipeWriter) { return NewPipe() }

// ErrBrokenPipe is what a write to a pipe whose reader is gone fails with.
var ErrBrokenPipe = &os.SyscallError{Syscall: "write", Err: syscall.EPIPE}

func (r *PipeReader) Read(b []byte) (int, error) {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == 0 {
		switch {
		case p.rclosed:
			return 0, io.ErrClosedPipe
		case p.wclosed:
			if p.werr != nil {
				return 0, p.werr
			}
			return 0, io.EOF
		case !p.deadline.IsZero() && !time.Now().Before(p.deadline):
			return 0, os.ErrDeadlineExceeded
		}
		if len(b) == 0 {
			return 0, nil
		}
		p.cond.Wait()
	}
	n := copy(b, p.buf)
	p.buf = p.buf[n:]
	if len(p.buf) == 0 {
		p.buf = nil
	}
	p.cond.Broadcast()
	return n, nil
}

// Close closes the read end: writers fail with EPIPE.
func (r *PipeReader) Close() error {
	p := r.p
	p.mu.Lock()
	p.rclosed = true
	p.buf = nil
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// SetReadDeadline makes blocked and later reads fail with
// os.ErrDeadlineExceeded once t passes; the zero time clears it.
func (r *PipeReader) SetReadDeadline(t time.Time) error {
	p := r.p
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deadline = t
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	if !t.IsZero() {
		p.timer = time.AfterFunc(time.Until(t), func() {
			p.mu.Lock()
			p.cond.Broadcast()
			p.mu.Unlock()
		})
	}
	p.cond.Broadcast()
	return nil
}

func (w *PipeWriter) Write(b []byte) (int, error) {
	p := w.p
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for len(b) > 0 {
		switch {
		case p.rclosed:
			return n, ErrBrokenPipe
		case p.wclosed:
			return n, io.ErrClosedPipe
		}
		room := pipeBuffer - len(p.buf)
		if room <= 0 {
			p.cond.Wait()
			continue
		}
		k := min(room, len(b))
		p.buf = append(p.buf, b[:k]...)
		b = b[k:]
		n += k
		p.cond.Broadcast()
	}
	return n, nil
}

// Close closes the write end: the reader sees end of file once the buffer
// is drained.
func (w *PipeWriter) Close() error { return w.CloseWithError(nil) }

// CloseWithError closes the write end; the reader gets err (EOF if nil).
func (w *PipeWriter) CloseWithError(err error) error {
	p := w.p
	p.mu.Lock()
	p.wclosed = true
	p.werr = err
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}
