package tools

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// Version is the busybox the tools are (what --help and busybox print).
const Version = "BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary."

// cmd is one run of a tool: its process, its name for messages, and a
// buffered stdout (flushed when the tool returns, as stdio is).
type cmd struct {
	ctx  context.Context
	p    *sandbox.Proc
	name string
	out  *bufio.Writer
}

// applet makes a Program of a tool's body. The body returns the status.
func applet(name string, body func(c *cmd, args []string) int) sandbox.Program {
	return func(ctx context.Context, p *sandbox.Proc) int {
		c := &cmd{ctx: ctx, p: p, name: name, out: bufio.NewWriterSize(p.Stdout, 32<<10)}
		var args []string
		if len(p.Args) > 1 {
			args = p.Args[1:]
		}
		code := body(c, args)
		if err := c.out.Flush(); err != nil && code == 0 {
			code = 1
		}
		return code
	}
}

// errf prints "name: message" to stderr.
func (c *cmd) errf(format string, a ...any) {
	c.out.Flush()
	fmt.Fprintf(c.p.Stderr, c.name+": "+format+"\n", a...)
}

// perror prints "name: what: No such file or directory".
func (c *cmd) perror(what string, err error) {
	c.errf("%s: %s", what, sandbox.Strerror(err))
}

// usage prints busybox's usage block and returns 1.
func (c *cmd) usage() int {
	c.out.Flush()
	fmt.Fprintf(c.p.Stderr, "%s\n\nUsage: %s\n\n", Version, usages[c.name])
	return 1
}

// stopped reports whether the tool should stop (SIGTERM, SIGKILL).
func (c *cmd) stopped() bool { return c.ctx.Err() != nil }

// open opens a file operand; "-" is stdin.
func (c *cmd) open(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(c.p.Stdin), nil
	}
	f, err := c.p.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDir}
	}
	return f, nil
}

// readAll reads a file operand whole, with a bound.
func (c *cmd) readAll(name string) ([]byte, error) {
	r, err := c.open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(ctxReader{c.ctx, r}, maxRead))
	if len(b) > 0 {
		if gerr := c.p.Usage.Grow(int64(len(b))); errors.Is(gerr, sandbox.ErrOOM) {
			return nil, gerr
		}
		defer c.p.Usage.Grow(-int64(len(b)))
	}
	return b, err
}

// maxRead bounds what a tool reads whole (sort, tac, sed -i).
const maxRead = 256 << 20

// ctxReader stops reading once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

// flags is what getopt found.
type flags struct {
	set  map[byte]bool
	vals map[byte][]string
}

func (f flags) has(b byte) bool { return f.set[b] }
func (f flags) val(b byte) (string, bool) {
	v := f.vals[b]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// getopt parses short options as busybox does: spec lists the letters, a
// letter followed by ':' takes an argument ("n:" for -n 5, -n5). Options
// may follow operands unless stopAtOperand (env, xargs: what follows is a
// command). Long options map to letters through long ("spider": 's';
// "output-document=": 'O' takes an argument). On a bad option it prints
// busybox's message and usage, and ok is false.
func (c *cmd) getopt(args []string, spec string, long map[string]byte, stopAtOperand bool) (f flags, operands []string, ok bool) {
	f = flags{set: map[byte]bool{}, vals: map[byte][]string{}}
	takes := map[byte]bool{}
	for i := 0; i < len(spec); i++ {
		if i+1 < len(spec) && spec[i+1] == ':' {
			takes[spec[i]] = true
		}
	}
	known := func(b byte) bool { return strings.IndexByte(spec, b) >= 0 && b != ':' }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return f, append(operands, args[i+1:]...), true
		case strings.HasPrefix(a, "--") && long != nil:
			name, val, hasVal := strings.Cut(a[2:], "=")
			b, found := long[name]
			bv, foundVal := long[name+"="]
			switch {
			case found:
				f.set[b] = true
			case foundVal && hasVal:
				f.set[bv], f.vals[bv] = true, append(f.vals[bv], val)
			case foundVal && i+1 < len(args):
				i++
				f.set[bv], f.vals[bv] = true, append(f.vals[bv], args[i])
			default:
				c.errf("unrecognized option '%s'", a)
				return f, nil, false
			}
		case len(a) > 1 && a[0] == '-':
			for k := 1; k < len(a); k++ {
				b := a[k]
				if !known(b) {
					c.errf("invalid option -- '%c'", b)
					return f, nil, false
				}
				f.set[b] = true
				if takes[b] {
					val := a[k+1:]
					if val == "" {
						if i+1 >= len(args) {
							c.errf("option requires an argument -- '%c'", b)
							return f, nil, false
						}
						i++
						val = args[i]
					}
					f.vals[b] = append(f.vals[b], val)
					break
				}
			}
		default:
			if stopAtOperand {
				return f, append(operands, args[i:]...), true
			}
			operands = append(operands, a)
		}
	}
	return f, operands, true
}

// lines calls fn for each line of r (without its newline), until fn
// returns false or ctx ends.
func (c *cmd) lines(r io.Reader, fn func(line string) bool) error {
	s := bufio.NewScanner(ctxReader{c.ctx, r})
	s.Buffer(make([]byte, 64<<10), 16<<20)
	for s.Scan() {
		if !fn(s.Text()) {
			return nil
		}
	}
	return s.Err()
}

// eachInput runs fn on each file operand (stdin where there is none),
// printing busybox's message for the ones it cannot open; it returns the
// status.
func (c *cmd) eachInput(files []string, openMsg bool, fn func(name string, r io.Reader) error) int {
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, name := range files {
		if c.stopped() {
			return 1
		}
		r, err := c.open(name)
		if err != nil {
			if openMsg {
				c.errf("can't open '%s': %s", name, sandbox.Strerror(err))
			} else {
				c.perror(name, err)
			}
			status = 1
			continue
		}
		if err := fn(name, r); err != nil && !errors.Is(err, context.Canceled) {
			c.perror(name, err)
			status = 1
		}
		r.Close()
	}
	return status
}

type ioReader = io.Reader

// errText is busybox's text of an error.
func errText(err error) string { return sandbox.Strerror(err) }
