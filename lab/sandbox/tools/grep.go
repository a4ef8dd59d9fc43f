package tools

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// breToERE turns a POSIX basic regular expression into an extended one
// (what Go's regexp reads): \( \) \{ \} \| \+ \? become operators, and
// ( ) { } | + ? become literals.
func breToERE(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s) && strings.IndexByte("(){}|+?", s[i+1]) >= 0:
			b.WriteByte(s[i+1])
			i++
		case ch == '\\' && i+1 < len(s):
			b.WriteByte('\\')
			b.WriteByte(s[i+1])
			i++
		case strings.IndexByte("(){}|+?", ch) >= 0:
			b.WriteByte('\\')
			b.WriteByte(ch)
		case ch == '*' && (i == 0 || s[i-1] == '^'):
			b.WriteString(`\*`)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// compilePattern compiles a grep or sed pattern.
func compilePattern(pat string, extended, fixed, icase, word, line bool) (*regexp.Regexp, error) {
	switch {
	case fixed:
		pat = regexp.QuoteMeta(pat)
	case !extended:
		pat = breToERE(pat)
	}
	if word {
		pat = `(?:^|\b)(?:` + pat + `)(?:\b|$)`
	}
	if line {
		pat = `^(?:` + pat + `)$`
	}
	if icase {
		pat = "(?i)" + pat
	}
	return regexp.Compile(pat)
}

func grep(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "ivcqEFnlLhHowxrRse:f:A:B:C:m:", map[string]byte{
		"ignore-case": 'i', "invert-match": 'v', "count": 'c', "quiet": 'q', "silent": 'q',
		"extended-regexp": 'E', "fixed-strings": 'F', "line-number": 'n', "files-with-matches": 'l',
		"recursive": 'r', "word-regexp": 'w', "line-regexp": 'x', "only-matching": 'o', "color": 'Z', "color=": 'Z',
	}, false)
	if !ok {
		return 2
	}
	pats := f.vals['e']
	for _, pf := range f.vals['f'] {
		b, err := c.readAll(pf)
		if err != nil {
			c.perror(pf, err)
			return 2
		}
		pats = append(pats, strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")...)
	}
	if len(pats) == 0 {
		if len(ops) == 0 {
			return c.usage() + 1
		}
		pats, ops = []string{ops[0]}, ops[1:]
	}
	var res []*regexp.Regexp
	for _, p := range pats {
		re, err := compilePattern(p, f.has('E') || c.name == "egrep", f.has('F') || c.name == "fgrep", f.has('i'), f.has('w'), f.has('x'))
		if err != nil {
			c.errf("bad regex '%s': %v", p, err)
			return 2
		}
		res = append(res, re)
	}
	if f.has('r') || f.has('R') {
		if len(ops) == 0 {
			ops = []string{"."}
		}
		ops = c.walkFiles(ops)
	}
	after := 0
	for _, fl := range []byte{'A', 'C'} {
		if v, ok := f.val(fl); ok {
			after, _ = strconv.Atoi(v)
		}
	}
	maxCount := -1
	if v, ok := f.val('m'); ok {
		maxCount, _ = strconv.Atoi(v)
	}
	showName := len(ops) > 1 || f.has('H') || f.has('r') || f.has('R')
	if f.has('h') {
		showName = false
	}
	matched, failed := false, false
	quiet := f.has('q')
	openErr := func(name string, err error) {
		if !f.has('s') {
			c.perror(name, err)
		}
		failed = true
	}
	files := ops
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, name := range files {
		if c.stopped() || quiet && matched {
			break
		}
		r, err := c.open(name)
		if err != nil {
			openErr(name, err)
			continue
		}
		shown := name
		if name == "-" {
			shown = "(standard input)"
		}
		count, lineNo, trailing := 0, 0, 0
		c.lines(r, func(line string) bool {
			lineNo++
			hit := false
			for _, re := range res {
				if re.MatchString(line) {
					hit = true
					break
				}
			}
			if hit == f.has('v') {
				if trailing > 0 && !f.has('c') && !f.has('l') && !quiet {
					trailing--
					c.grepLine(showName, shown, f.has('n'), lineNo, "-", line)
				}
				return true
			}
			count++
			matched = true
			if quiet || f.has('l') || f.has('L') {
				return !quiet && !f.has('l') && !f.has('L')
			}
			if !f.has('c') {
				switch {
				case f.has('o') && !f.has('v'):
					for _, re := range res {
						for _, m := range re.FindAllString(line, -1) {
							c.grepLine(showName, shown, f.has('n'), lineNo, ":", m)
						}
					}
				default:
					c.grepLine(showName, shown, f.has('n'), lineNo, ":", line)
				}
				trailing = after
			}
			return maxCount < 0 || count < maxCount
		})
		r.Close()
		switch {
		case quiet:
		case f.has('l') && count > 0:
			fmt.Fprintln(c.out, shown)
		case f.has('L') && count == 0:
			fmt.Fprintln(c.out, shown)
		case f.has('c'):
			if showName {
				fmt.Fprintf(c.out, "%s:", shown)
			}
			fmt.Fprintln(c.out, count)
		}
	}
	switch {
	case matched && (quiet || !failed):
		return 0
	case failed:
		return 2
	}
	return 1
}

func (c *cmd) grepLine(showName bool, name string, numbers bool, n int, sep, line string) {
	if showName {
		c.out.WriteString(name + sep)
	}
	if numbers {
		c.out.WriteString(strconv.Itoa(n) + sep)
	}
	c.out.WriteString(line)
	c.out.WriteByte('\n')
}

// walkFiles lists the regular files under the given paths (grep -r).
func (c *cmd) walkFiles(roots []string) []string {
	var out []string
	var walk func(string)
	walk = func(p string) {
		fi, err := c.p.FS.Lstat(p)
		if err != nil {
			out = append(out, p) // grep reports it
			return
		}
		if !fi.IsDir() {
			if fi.Mode().IsRegular() {
				out = append(out, p)
			}
			return
		}
		des, err := c.p.FS.ReadDir(p)
		if err != nil {
			c.perror(p, err)
			return
		}
		for _, de := range des {
			walk(path.Join(p, de.Name()))
		}
	}
	for _, r := range roots {
		walk(r)
	}
	return out
}

// readInputs reads the files (stdin where none) whole, for sort and the
// like; ok is false where one could not be read.
func (c *cmd) readInputs(files []string) ([]string, bool) {
	var lines []string
	status := c.eachInput(files, true, func(_ string, r io.Reader) error {
		return c.lines(r, func(l string) bool {
			lines = append(lines, l)
			return len(lines) < 10_000_000
		})
	})
	var held int64
	for _, l := range lines {
		held += int64(len(l))
	}
	if c.p.Usage.Grow(held) == sandbox.ErrOOM {
		c.errf("out of memory")
		return nil, false
	}
	defer c.p.Usage.Grow(-held)
	return lines, status == 0
}
