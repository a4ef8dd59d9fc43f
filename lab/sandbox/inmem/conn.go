package inmem

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// maxBuffered is how much one direction of a connection holds before a
// writer waits for its reader (a socket's buffers).
const maxBuffered = 1 << 20

// stream is one direction of a connection: what one end wrote and the
// other has not read yet.
type stream struct {
	mu         sync.Mutex
	cond       *sync.Cond
	buf        []byte
	wclosed    bool // the writer closed: the reader gets EOF once drained
	rclosed    bool // the reader closed: the writer gets EPIPE
	rdeadline  time.Time
	wdeadline  time.Time
	rtimer     *time.Timer
	wtimer     *time.Timer
	readerDone bool
}

func newStream() *stream {
	s := &stream{}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// conn is one end of an in-memory TCP connection.
type conn struct {
	in, out       *stream
	local, remote net.Addr
	closeOnce     sync.Once
	onClose       func()
}

// pair makes the two ends of a connection from a (dialer) to b (listener).
func pair(a, b net.Addr) (*conn, *conn) {
	ab, ba := newStream(), newStream()
	return &conn{in: ba, out: ab, local: a, remote: b}, &conn{in: ab, out: ba, local: b, remote: a}
}

func opErr(op string, c *conn, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.local, Addr: c.remote, Err: err}
}

func (c *conn) Read(b []byte) (int, error) {
	s := c.in
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		switch {
		case s.readerDone:
			return 0, opErr("read", c, net.ErrClosed)
		case len(s.buf) > 0:
			n := copy(b, s.buf)
			s.buf = s.buf[n:]
			s.cond.Broadcast()
			return n, nil
		case s.wclosed:
			return 0, io.EOF
		case !s.rdeadline.IsZero() && !time.Now().Before(s.rdeadline):
			return 0, opErr("read", c, os.ErrDeadlineExceeded)
		}
		s.cond.Wait()
	}
}

func (c *conn) Write(b []byte) (int, error) {
	s := c.out
	s.mu.Lock()
	defer s.mu.Unlock()
	written := 0
	for written < len(b) {
		switch {
		case s.wclosed:
			return written, opErr("write", c, net.ErrClosed)
		case s.rclosed:
			return written, opErr("write", c, os.NewSyscallError("write", syscall.EPIPE))
		case !s.wdeadline.IsZero() && !time.Now().Before(s.wdeadline):
			return written, opErr("write", c, os.ErrDeadlineExceeded)
		case len(s.buf) < maxBuffered:
			n := min(len(b)-written, maxBuffered-len(s.buf))
			s.buf = append(s.buf, b[written:written+n]...)
			written += n
			s.cond.Broadcast()
			continue
		}
		s.cond.Wait()
	}
	return written, nil
}

// Close ends both directions: the peer reads EOF after what was sent, and
// its writes fail.
func (c *conn) Close() error {
	c.closeOnce.Do(func() {
		c.out.mu.Lock()
		c.out.wclosed = true
		c.out.cond.Broadcast()
		c.out.mu.Unlock()
		c.in.mu.Lock()
		c.in.rclosed, c.in.readerDone = true, true
		c.in.buf = nil
		c.in.cond.Broadcast()
		c.in.mu.Unlock()
		if c.onClose != nil {
			c.onClose()
		}
	})
	return nil
}

// CloseWrite sends EOF, as a TCP half-close does.
func (c *conn) CloseWrite() error {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	c.out.wclosed = true
	c.out.cond.Broadcast()
	return nil
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *conn) SetReadDeadline(t time.Time) error {
	s := c.in
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rdeadline = t
	s.rtimer = rearm(s, s.rtimer, t)
	return nil
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	s := c.out
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wdeadline = t
	s.wtimer = rearm(s, s.wtimer, t)
	return nil
}

// rearm wakes the stream's waiters at t (and now, for a past t).
func rearm(s *stream, old *time.Timer, t time.Time) *time.Timer {
	if old != nil {
		old.Stop()
	}
	s.cond.Broadcast()
	if t.IsZero() {
		return nil
	}
	return time.AfterFunc(time.Until(t), func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
}
