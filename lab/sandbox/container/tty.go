package container

import (
	"bytes"
	"io"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/kubelab/kubelab/lab/sandbox/internal/interp"
)

// tty is the terminal of kubectl exec -t, as a pty's line discipline is:
// the client's terminal is raw, so the container echoes what is typed,
// erases with backspace, hands whole lines to the program, turns ^D at
// the start of a line into end of file and ^C into SIGINT to the newest
// process of the session, and writes "\r\n" for "\n".
type tty struct {
	c    *Container
	root func() *process // the session's first process, once started
	out  io.Writer       // the client's terminal, translated
	in   *interp.PipeWriter
}

// newTTY starts reading the client's keys; the program reads the returned
// pipe.
func newTTY(c *Container, client io.Reader, screen io.Writer, root func() *process) (io.Reader, io.Writer) {
	pr, pw := interp.NewPipe()
	t := &tty{c: c, root: root, out: &onlcr{w: screen}, in: pw}
	if client == nil {
		pw.Close()
		return pr, t.out
	}
	go t.read(client)
	return pr, t.out
}

func (t *tty) read(client io.Reader) {
	var line []byte
	buf := make([]byte, 1024)
	for {
		n, err := client.Read(buf)
		for _, b := range buf[:n] {
			switch b {
			case '\r', '\n':
				t.out.Write([]byte("\n"))
				line = append(line, '\n')
				if _, werr := t.in.Write(line); werr != nil {
					return
				}
				line = line[:0]
			case 0x7f, 0x08: // erase a character
				if len(line) > 0 {
					_, size := utf8.DecodeLastRune(line)
					line = line[:len(line)-size]
					t.out.Write([]byte("\b \b"))
				}
			case 0x15: // ^U: erase the line
				t.out.Write(bytes.Repeat([]byte("\b \b"), utf8.RuneCount(line)))
				line = line[:0]
			case 0x04: // ^D
				if len(line) == 0 {
					t.in.Close()
					return
				}
				t.in.Write(line)
				line = line[:0]
			case 0x03, 0x1c: // ^C, ^\
				sig, echo := syscall.SIGINT, "^C\n"
				if b == 0x1c {
					sig, echo = syscall.SIGQUIT, "^\\\n"
				}
				t.out.Write([]byte(echo))
				line = line[:0]
				if !t.interrupt(sig) {
					t.in.Write([]byte("\n")) // at the prompt: a new one
				}
			default:
				line = append(line, b)
				t.out.Write([]byte{b})
			}
		}
		if err != nil {
			t.in.Close()
			return
		}
	}
}

// interrupt sends sig to the newest process the session started (the
// foreground one, as a terminal's process group would have it); it reports
// whether there was one other than the session's shell.
func (t *tty) interrupt(sig syscall.Signal) bool {
	root := t.root()
	if root == nil {
		return false
	}
	parent := map[int]int{}
	procs := t.c.procs.all()
	for _, p := range procs {
		parent[p.pid] = p.ppid
	}
	for k := len(procs) - 1; k >= 0; k-- {
		p := procs[k]
		if p.pid == root.pid {
			continue
		}
		for a := p.ppid; a != 0; a = parent[a] {
			if a == root.pid {
				p.signal(sig)
				return true
			}
			if parent[a] == a {
				break
			}
		}
	}
	return false
}

// onlcr writes "\r\n" for "\n", as a terminal in raw mode needs.
type onlcr struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *onlcr) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := o.w.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Terminal reports that the writer is a terminal (test -t, ls columns, the
// shell's prompt).
func (o *onlcr) Terminal() bool { return true }
