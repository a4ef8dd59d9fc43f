package tools

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }

// sedRun runs a parsed script over its input.
type sedRun struct {
	c      *cmd
	cmds   []*sedCmd
	quiet  bool
	out    *bufio.Writer
	lines  []string
	next   int // index of the next input line
	lineNo int
	hold   string
	status int
	subbed bool
	labels map[string]int
}

func (r *sedRun) last() bool { return r.next >= len(r.lines) }

func (r *sedRun) matches(a *sedAddr, ps string) bool {
	switch {
	case a.last:
		return r.last()
	case a.re != nil:
		return a.re.MatchString(ps)
	}
	return r.lineNo == a.line
}

// selected reports whether c applies to this line (ranges keep state).
func (r *sedRun) selected(c *sedCmd, ps string) bool {
	ok := true
	switch {
	case c.a1 == nil:
	case c.a2 == nil:
		ok = r.matches(c.a1, ps)
	case c.inRange:
		if c.a2.line > 0 && !c.a2.last && c.a2.re == nil {
			ok = true
			if r.lineNo >= c.a2.line {
				c.inRange = false
			}
		} else if r.matches(c.a2, ps) {
			c.inRange = false
		}
	default:
		ok = r.matches(c.a1, ps)
		if ok {
			c.inRange = true
			if c.a2.re == nil && !c.a2.last && c.a2.line <= r.lineNo {
				c.inRange = false
			}
		}
	}
	return ok != c.negate
}

func (r *sedRun) read() (string, bool) {
	if r.last() {
		return "", false
	}
	r.next++
	r.lineNo++
	return r.lines[r.next-1], true
}

func (r *sedRun) run(data []byte) {
	r.labels = map[string]int{}
	for k, c := range r.cmds {
		if c.name == ':' {
			r.labels[c.label] = k
		}
	}
	text := string(data)
	trailing := strings.HasSuffix(text, "\n")
	text = strings.TrimSuffix(text, "\n")
	if text != "" || trailing {
		r.lines = strings.Split(text, "\n")
	}
	for !r.last() {
		if r.c.stopped() {
			r.status = 1
			return
		}
		ps, _ := r.read()
		if quit := r.cycle(ps); quit {
			return
		}
	}
}

// cycle runs the script on one line; it reports a q.
func (r *sedRun) cycle(ps string) (quit bool) {
	var appends []string
	r.subbed = false
	print := func(s string) { r.out.WriteString(s + "\n") }
	end := func(printPS bool) {
		if printPS && !r.quiet {
			print(ps)
		}
		for _, a := range appends {
			print(a)
		}
	}
	labels := r.labels
	for pc := 0; pc < len(r.cmds); pc++ {
		c := r.cmds[pc]
		if c.name == '}' || c.name == ':' {
			continue
		}
		if !r.selected(c, ps) {
			if c.name == '{' {
				pc = c.jump - 1
			}
			continue
		}
		switch c.name {
		case 's':
			var ok bool
			ps, ok = substitute(c, ps)
			if ok {
				r.subbed = true
				if c.print {
					print(ps)
				}
			}
		case 'd':
			end(false)
			return false
		case 'D':
			if i := strings.IndexByte(ps, '\n'); i >= 0 {
				r.next--
				r.lines[r.next] = ps[i+1:]
				r.lineNo--
			}
			end(false)
			return false
		case 'p':
			print(ps)
		case 'P':
			first, _, _ := strings.Cut(ps, "\n")
			print(first)
		case '=':
			fmt.Fprintf(r.out, "%d\n", r.lineNo)
		case 'a':
			appends = append(appends, c.text)
		case 'i':
			print(c.text)
		case 'c':
			if c.a2 == nil || !c.inRange {
				print(c.text)
			}
			end(false)
			return false
		case 'y':
			ps = strings.Map(func(ch rune) rune {
				for k, f := range c.from {
					if f == ch {
						return c.to[k]
					}
				}
				return ch
			}, ps)
		case 'q', 'Q':
			end(c.name == 'q')
			return true
		case 'n':
			if !r.quiet {
				print(ps)
			}
			next, ok := r.read()
			if !ok {
				end(false)
				return true
			}
			ps = next
		case 'N':
			next, ok := r.read()
			if !ok {
				end(true)
				return true
			}
			ps += "\n" + next
		case 'h':
			r.hold = ps
		case 'H':
			r.hold += "\n" + ps
		case 'g':
			ps = r.hold
		case 'G':
			ps += "\n" + r.hold
		case 'x':
			ps, r.hold = r.hold, ps
		case 'l':
			print(strconv.Quote(ps)[1:len(strconv.Quote(ps))-1] + "$")
		case 'b', 't', 'T':
			jump := c.name == 'b' || c.name == 't' && r.subbed || c.name == 'T' && !r.subbed
			if c.name != 'b' {
				r.subbed = false
			}
			if jump {
				target, ok := labels[c.label]
				if c.label == "" || !ok {
					pc = len(r.cmds)
				} else {
					pc = target
				}
			}
		}
	}
	end(true)
	return false
}

// substitute runs s: the nth match (all with g from it), with & and \1
// in the replacement.
func substitute(c *sedCmd, ps string) (string, bool) {
	matches := c.re.FindAllStringSubmatchIndex(ps, -1)
	if len(matches) == 0 {
		return ps, false
	}
	nth := max(1, c.nth)
	var b strings.Builder
	prev, done := 0, false
	for k, m := range matches {
		if k+1 < nth || done {
			continue
		}
		b.WriteString(ps[prev:m[0]])
		b.WriteString(expandRepl(c.repl, ps, m))
		prev = m[1]
		if !c.global {
			done = true
		}
	}
	if prev == 0 && b.Len() == 0 && nth > len(matches) {
		return ps, false
	}
	b.WriteString(ps[prev:])
	return b.String(), true
}

func expandRepl(repl, s string, m []int) string {
	var b strings.Builder
	group := func(n int) string {
		if 2*n+1 < len(m) && m[2*n] >= 0 {
			return s[m[2*n]:m[2*n+1]]
		}
		return ""
	}
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch {
		case ch == '&':
			b.WriteString(group(0))
		case ch == '\\' && i+1 < len(repl):
			i++
			switch n := repl[i]; {
			case n >= '0' && n <= '9':
				b.WriteString(group(int(n - '0')))
			case n == 'n':
				b.WriteByte('\n')
			case n == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(n)
			}
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
