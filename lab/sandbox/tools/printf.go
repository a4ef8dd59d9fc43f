package tools

import (
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

// printfCmd is printf FORMAT [ARG]... (the shell's builtin printf is the
// same code).
func printfCmd(c *cmd, args []string) int {
	if len(args) == 0 {
		return c.usage()
	}
	out, errs, status := printf.Format(args[0], args[1:])
	c.out.WriteString(out)
	for _, e := range errs {
		c.errf("%s", e)
	}
	return status
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
