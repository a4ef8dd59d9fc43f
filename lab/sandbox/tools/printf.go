package tools

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// printfCmd is printf FORMAT [ARG]...: the format is reused while
// arguments remain, as POSIX says.
func printfCmd(c *cmd, args []string) int {
	if len(args) == 0 {
		return c.usage()
	}
	format, args := args[0], args[1:]
	status := 0
	for {
		used, stop, bad := printfOnce(c, format, args)
		if bad {
			status = 1
		}
		args = args[min(used, len(args)):]
		if stop || used == 0 || len(args) == 0 {
			break
		}
	}
	return status
}

// printfOnce formats once; it returns how many arguments it used.
func printfOnce(c *cmd, format string, args []string) (used int, stop, bad bool) {
	next := func() (string, bool) {
		if used < len(args) {
			used++
			return args[used-1], true
		}
		return "", false
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' {
			j := i + 1
			for j < len(format) && j < i+4 && format[j] >= '0' && format[j] <= '7' {
				j++
			}
			if j == i+1 && j < len(format) {
				j++
				if format[i+1] == 'x' {
					for j < len(format) && j < i+4 && strings.IndexByte("0123456789abcdefABCDEF", format[j]) >= 0 {
						j++
					}
				}
			}
			s, _ := unescape(format[i:j], false)
			c.out.WriteString(s)
			i = j - 1
			continue
		}
		if ch != '%' {
			c.out.WriteByte(ch)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		spec := format[i:j]
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.' || format[j] == '*') {
			if format[j] == '*' {
				a, _ := next()
				n, _ := strconv.Atoi(a)
				spec += strconv.Itoa(n)
			} else {
				spec += string(format[j])
			}
			j++
		}
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++ // length modifiers mean nothing here
		}
		if j >= len(format) {
			c.out.WriteString(format[i:])
			return used, true, bad
		}
		verb := format[j]
		i = j
		switch verb {
		case '%':
			c.out.WriteByte('%')
		case 's':
			a, _ := next()
			fmt.Fprintf(c.out, spec+"s", a)
		case 'b':
			a, _ := next()
			s, cstop := unescape(a, true)
			fmt.Fprintf(c.out, spec+"s", s)
			if cstop {
				return used, true, bad
			}
		case 'c':
			if a, _ := next(); a != "" {
				c.out.WriteByte(a[0])
			}
		case 'd', 'i', 'u', 'x', 'X', 'o':
			a, _ := next()
			n, ok := number(a)
			if !ok {
				c.errf("invalid number '%s'", a)
				bad = true
			}
			v := map[byte]byte{'i': 'd', 'u': 'd'}[verb]
			if v == 0 {
				v = verb
			}
			fmt.Fprintf(c.out, spec+string(v), n)
		case 'f', 'F', 'e', 'E', 'g', 'G':
			a, _ := next()
			f, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
			if err != nil && a != "" {
				c.errf("invalid number '%s'", a)
				bad = true
			}
			fmt.Fprintf(c.out, spec+string(verb), f)
		default:
			c.errf("%%%c: invalid format", verb)
			return used, true, true
		}
	}
	return used, false, bad
}

// number reads printf's integer argument: decimal, 0x hex, 0 octal, or a
// character constant 'a.
func number(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if s[0] == '\'' || s[0] == '"' {
		if len(s) > 1 {
			return int64(s[1]), true
		}
		return 0, true
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		if u, uerr := strconv.ParseUint(s, 0, 64); uerr == nil {
			return int64(u), true
		}
		return 0, false
	}
	return n, true
}

// testCmd is test and [ run as programs (the shell's own test is its
// builtin): the usual unary, binary, !, -a and -o expressions.
func testCmd(c *cmd, args []string) int {
	if c.name == "[" {
		if len(args) == 0 || args[len(args)-1] != "]" {
			c.errf("missing ]")
			return 2
		}
		args = args[:len(args)-1]
	}
	t := &tester{c: c, args: args}
	if len(args) == 0 {
		return 1
	}
	ok := t.or()
	if t.err != "" || t.i != len(args) {
		if t.err == "" {
			t.err = args[t.i] + ": unknown operand"
		}
		c.errf("%s", t.err)
		return 2
	}
	if ok {
		return 0
	}
	return 1
}

type tester struct {
	c    *cmd
	args []string
	i    int
	err  string
}

func (t *tester) peek() string {
	if t.i < len(t.args) {
		return t.args[t.i]
	}
	return ""
}

func (t *tester) or() bool {
	v := t.and()
	for t.peek() == "-o" {
		t.i++
		v = t.and() || v
	}
	return v
}

func (t *tester) and() bool {
	v := t.not()
	for t.peek() == "-a" {
		t.i++
		v = t.not() && v
	}
	return v
}

func (t *tester) not() bool {
	if t.peek() == "!" && t.i+1 < len(t.args) {
		t.i++
		return !t.not()
	}
	return t.primary()
}

func (t *tester) primary() bool {
	if t.i >= len(t.args) {
		t.err = "argument expected"
		return false
	}
	a := t.args[t.i]
	if a == "(" && t.i+2 < len(t.args) {
		t.i++
		v := t.or()
		if t.peek() != ")" {
			t.err = "missing )"
		}
		t.i++
		return v
	}
	if t.i+2 < len(t.args)+1 && t.i+1 < len(t.args) {
		op := t.args[t.i+1]
		if binaryTest[op] && t.i+2 < len(t.args) {
			b := t.args[t.i+2]
			t.i += 3
			return t.binary(a, op, b)
		}
	}
	if len(a) == 2 && a[0] == '-' && t.i+1 < len(t.args) && strings.IndexByte("bcdefghkLnprsSuwxzt", a[1]) >= 0 {
		b := t.args[t.i+1]
		t.i += 2
		return t.unary(a[1], b)
	}
	t.i++
	return a != ""
}

var binaryTest = map[string]bool{"=": true, "==": true, "!=": true, "<": true, ">": true,
	"-eq": true, "-ne": true, "-lt": true, "-le": true, "-gt": true, "-ge": true, "-nt": true, "-ot": true, "-ef": true}

func (t *tester) binary(a, op, b string) bool {
	switch op {
	case "=", "==":
		return a == b
	case "!=":
		return a != b
	case "<":
		return a < b
	case ">":
		return a > b
	case "-nt", "-ot", "-ef":
		fa, ea := t.c.p.FS.Stat(a)
		fb, eb := t.c.p.FS.Stat(b)
		if ea != nil || eb != nil {
			return false
		}
		switch op {
		case "-nt":
			return fa.ModTime().After(fb.ModTime())
		case "-ot":
			return fa.ModTime().Before(fb.ModTime())
		}
		return fa.Sys() != nil && fb.Sys() != nil && *fa.Sys().(*sandboxStat) == *fb.Sys().(*sandboxStat)
	}
	x, ex := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	y, ey := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if ex != nil || ey != nil {
		bad := a
		if ex == nil {
			bad = b
		}
		t.err = "invalid number '" + bad + "'"
		return false
	}
	switch op {
	case "-eq":
		return x == y
	case "-ne":
		return x != y
	case "-lt":
		return x < y
	case "-le":
		return x <= y
	case "-gt":
		return x > y
	}
	return x >= y
}

func (t *tester) unary(op byte, s string) bool {
	switch op {
	case 'n':
		return s != ""
	case 'z':
		return s == ""
	case 't':
		return false
	}
	fs := t.c.p.FS
	if op == 'L' || op == 'h' {
		fi, err := fs.Lstat(s)
		return err == nil && fi.Mode()&modeSymlink != 0
	}
	fi, err := fs.Stat(s)
	if err != nil {
		return false
	}
	m := fi.Mode()
	switch op {
	case 'e':
		return true
	case 'f':
		return m.IsRegular()
	case 'd':
		return m.IsDir()
	case 's':
		return fi.Size() > 0
	case 'p':
		return m&modeNamedPipe != 0
	case 'S':
		return m&modeSocket != 0
	case 'c':
		return m&modeCharDevice != 0
	case 'b':
		return m&modeDevice != 0 && m&modeCharDevice == 0
	case 'u':
		return m&modeSetuid != 0
	case 'g':
		return m&modeSetgid != 0
	case 'k':
		return m&modeSticky != 0
	}
	if v, ok := fs.(*vfs.View); ok {
		bit := map[byte]int{'r': 4, 'w': 2, 'x': 1}[op]
		return v.Access(s, bit) == nil
	}
	return true
}
