package tools

import (
	"bytes"
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// sedAddr is a line number, $ or /regexp/.
type sedAddr struct {
	line int
	last bool
	re   *regexp.Regexp
}

// sedCmd is one command of a sed script.
type sedCmd struct {
	a1, a2  *sedAddr
	negate  bool
	inRange bool
	name    byte
	re      *regexp.Regexp
	repl    string
	global  bool
	nth     int
	print   bool
	text    string
	from    []rune
	to      []rune
	label   string
	jump    int // '{': the index after its '}'
}

// sedParser reads a script (s, d, p, q, =, a, i, c, y, n, N, D, P, h, H,
// g, G, x, b, t, :, {}; addresses N, $, /re/, A,B and !).
type sedParser struct {
	s        string
	i        int
	extended bool
	lastRE   *regexp.Regexp
	cmds     []*sedCmd
	open     []int
}

func (p *sedParser) skip(chars string) {
	for p.i < len(p.s) && strings.IndexByte(chars, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *sedParser) errf(format string, a ...any) error {
	return fmt.Errorf(format, a...)
}

// delimited reads up to an unescaped delim.
func (p *sedParser) delimited(delim byte) (string, error) {
	var b strings.Builder
	for p.i < len(p.s) {
		ch := p.s[p.i]
		switch {
		case ch == '\\' && p.i+1 < len(p.s):
			if p.s[p.i+1] == delim {
				b.WriteByte(delim)
			} else if p.s[p.i+1] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte('\\')
				b.WriteByte(p.s[p.i+1])
			}
			p.i += 2
			continue
		case ch == delim:
			p.i++
			return b.String(), nil
		}
		b.WriteByte(ch)
		p.i++
	}
	return "", p.errf("unterminated `s' command")
}

func (p *sedParser) regex(delim byte) (*regexp.Regexp, error) {
	src, err := p.delimited(delim)
	if err != nil {
		return nil, err
	}
	if src == "" {
		if p.lastRE == nil {
			return nil, p.errf("no previous regexp")
		}
		return p.lastRE, nil
	}
	if !p.extended {
		src = breToERE(src)
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, p.errf("bad regex '%s': %v", src, err)
	}
	p.lastRE = re
	return re, nil
}

func (p *sedParser) addr() (*sedAddr, error) {
	if p.i >= len(p.s) {
		return nil, nil
	}
	ch := p.s[p.i]
	switch {
	case ch == '$':
		p.i++
		return &sedAddr{last: true}, nil
	case ch >= '0' && ch <= '9':
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		n, _ := strconv.Atoi(p.s[j:p.i])
		return &sedAddr{line: n}, nil
	case ch == '/' || ch == '\\' && p.i+1 < len(p.s):
		delim := byte('/')
		if ch == '\\' {
			delim = p.s[p.i+1]
			p.i++
		}
		p.i++
		re, err := p.regex(delim)
		if err != nil {
			return nil, err
		}
		return &sedAddr{re: re}, nil
	}
	return nil, nil
}

func (p *sedParser) text() string {
	p.skip(" \t")
	if p.i < len(p.s) && p.s[p.i] == '\\' {
		p.i++
		p.skip(" \t")
		if p.i < len(p.s) && p.s[p.i] == '\n' {
			p.i++
		}
	}
	j := strings.IndexByte(p.s[p.i:], '\n')
	if j < 0 {
		j = len(p.s) - p.i
	}
	t := p.s[p.i : p.i+j]
	p.i += j
	t, _ = printf.Unescape(strings.ReplaceAll(t, "\\\n", "\n"), false)
	return t
}

func (p *sedParser) parse() error {
	for {
		p.skip(" \t\n;")
		if p.i >= len(p.s) {
			break
		}
		c := &sedCmd{}
		var err error
		if c.a1, err = p.addr(); err != nil {
			return err
		}
		if c.a1 != nil && p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			if c.a2, err = p.addr(); err != nil || c.a2 == nil {
				return p.errf("unexpected ','")
			}
		}
		p.skip(" \t")
		if p.i < len(p.s) && p.s[p.i] == '!' {
			c.negate = true
			p.i++
			p.skip(" \t")
		}
		if p.i >= len(p.s) {
			return p.errf("missing command")
		}
		c.name = p.s[p.i]
		p.i++
		switch c.name {
		case 's':
			if p.i >= len(p.s) {
				return p.errf("unterminated `s' command")
			}
			delim := p.s[p.i]
			p.i++
			if c.re, err = p.regex(delim); err != nil {
				return err
			}
			if c.repl, err = p.delimited(delim); err != nil {
				return err
			}
			for p.i < len(p.s) && strings.IndexByte("gpIi0123456789", p.s[p.i]) >= 0 {
				switch f := p.s[p.i]; {
				case f == 'g':
					c.global = true
				case f == 'p':
					c.print = true
				case f == 'I' || f == 'i':
					c.re = regexp.MustCompile("(?i)" + c.re.String())
				default:
					c.nth = c.nth*10 + int(f-'0')
				}
				p.i++
			}
		case 'y':
			delim := p.s[p.i]
			p.i++
			from, err := p.delimited(delim)
			if err != nil {
				return err
			}
			to, err := p.delimited(delim)
			if err != nil {
				return err
			}
			if c.from, c.to = []rune(from), []rune(to); len(c.from) != len(c.to) {
				return p.errf("strings for `y' command are different lengths")
			}
		case 'a', 'i', 'c':
			c.text = p.text()
		case 'b', 't', 'T', ':':
			p.skip(" \t")
			j := p.i
			for p.i < len(p.s) && strings.IndexByte(";\n", p.s[p.i]) < 0 {
				p.i++
			}
			c.label = strings.TrimSpace(p.s[j:p.i])
		case '{':
			p.open = append(p.open, len(p.cmds))
		case '}':
			if len(p.open) == 0 {
				return p.errf("unexpected '}'")
			}
			p.cmds[p.open[len(p.open)-1]].jump = len(p.cmds) + 1
			p.open = p.open[:len(p.open)-1]
		case 'd', 'D', 'p', 'P', 'q', 'Q', '=', 'n', 'N', 'h', 'H', 'g', 'G', 'x', 'l':
		default:
			return p.errf("unsupported command %c", c.name)
		}
		p.cmds = append(p.cmds, c)
	}
	if len(p.open) > 0 {
		return p.errf("unmatched '{'")
	}
	return nil
}

func sed(c *cmd, args []string) int {
	var scripts []string
	inPlace, suffix, quiet, extended := false, "", false, false
	var files []string
	for k := 0; k < len(args); k++ {
		a := args[k]
		switch {
		case a == "-n" || a == "--quiet" || a == "--silent":
			quiet = true
		case a == "-E" || a == "-r" || a == "--regexp-extended":
			extended = true
		case a == "-e" && k+1 < len(args):
			k++
			scripts = append(scripts, args[k])
		case a == "-f" && k+1 < len(args):
			k++
			b, err := c.readAll(args[k])
			if err != nil {
				c.errf("can't open '%s': %s", args[k], errText(err))
				return 1
			}
			scripts = append(scripts, string(b))
		case strings.HasPrefix(a, "-i"):
			inPlace, suffix = true, a[2:]
		case strings.HasPrefix(a, "-") && len(a) > 1 && strings.Trim(a[1:], "nrE") == "":
			quiet = quiet || strings.Contains(a, "n")
			extended = extended || strings.ContainsAny(a, "rE")
		case strings.HasPrefix(a, "-") && len(a) > 1:
			c.errf("invalid option -- '%s'", a[1:2])
			return c.usage()
		default:
			files = append(files, a)
		}
	}
	if len(scripts) == 0 {
		if len(files) == 0 {
			return c.usage()
		}
		scripts, files = files[:1], files[1:]
	}
	p := &sedParser{s: strings.Join(scripts, "\n"), extended: extended}
	if err := p.parse(); err != nil {
		c.errf("%v", err)
		return 1
	}
	if !inPlace {
		var data []byte
		status := 0
		for _, f := range orStdin(files) {
			b, err := c.readAll(f)
			if err != nil {
				c.errf("can't open '%s': %s", f, errText(err))
				status = 2
				continue
			}
			data = append(data, b...)
		}
		r := &sedRun{c: c, cmds: p.cmds, quiet: quiet, out: c.out}
		r.run(data)
		return max(status, r.status)
	}
	if len(files) == 0 {
		c.errf("no files to edit in place")
		return 1
	}
	for _, f := range files {
		b, err := c.readAll(f)
		if err != nil {
			c.errf("can't open '%s': %s", f, errText(err))
			return 1
		}
		var out bytes.Buffer
		w := newBufWriter(&out)
		r := &sedRun{c: c, cmds: p.cmds, quiet: quiet, out: w}
		r.run(b)
		w.Flush()
		if suffix != "" {
			if err := writeFile(c, f+suffix, b); err != nil {
				c.perror(f+suffix, err)
				return 1
			}
		}
		if err := writeFile(c, f, out.Bytes()); err != nil {
			c.perror(f, err)
			return 1
		}
	}
	return 0
}

func orStdin(files []string) []string {
	if len(files) == 0 {
		return []string{"-"}
	}
	return files
}

// writeFile replaces a file's content in the container.
func writeFile(c *cmd, name string, data []byte) error {
	fl, err := c.p.FS.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return err
	}
	_, err = fl.Write(data)
	if cerr := fl.Close(); err == nil {
		err = cerr
	}
	return err
}
