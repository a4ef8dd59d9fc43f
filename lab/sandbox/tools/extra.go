package tools

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

func tac(c *cmd, args []string) int {
	lines, ok := c.readInputs(args)
	slices.Reverse(lines)
	for _, l := range lines {
		c.out.WriteString(l + "\n")
	}
	if !ok {
		return 1
	}
	return 0
}

func rev(c *cmd, args []string) int {
	lines, ok := c.readInputs(args)
	for _, l := range lines {
		r := []rune(l)
		slices.Reverse(r)
		c.out.WriteString(string(r) + "\n")
	}
	if !ok {
		return 1
	}
	return 0
}

// readlink prints a link's target; -f (and realpath) the path without
// links.
func readlink(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "fensvq", nil, false)
	if !ok || len(ops) == 0 {
		return c.usage()
	}
	status := 0
	for _, op := range ops {
		var out string
		var err error
		if f.has('f') || f.has('e') || c.name == "realpath" {
			v, isView := c.p.FS.(*vfs.View)
			if !isView {
				return 1
			}
			out, err = v.RealPath(op)
		} else {
			out, err = c.p.FS.Readlink(op)
		}
		if err != nil {
			if c.name == "realpath" {
				c.perror(op, err)
			}
			status = 1
			continue
		}
		c.out.WriteString(out)
		if !f.has('n') {
			c.out.WriteString("\n")
		}
	}
	return status
}

func which(c *cmd, args []string) int {
	if len(args) == 0 || c.p.LookPath == nil {
		return 1
	}
	status := 0
	for _, name := range args {
		p, err := c.p.LookPath(name)
		if err != nil {
			status = 1
			continue
		}
		fmt.Fprintln(c.out, p)
	}
	return status
}

func nproc(c *cmd, args []string) int {
	n := 1
	if b, err := c.readAll("/proc/cpuinfo"); err == nil {
		n = max(1, strings.Count(string(b), "processor\t:"))
	}
	fmt.Fprintln(c.out, n)
	return 0
}

// timeout runs a command, and sends it SIGTERM after the time (status 124).
func timeout(c *cmd, args []string) int {
	f, rest, ok := c.getopt(args, "s:k:", nil, true)
	if !ok || len(rest) < 2 {
		return c.usage()
	}
	d, valid := parseDuration(rest[0])
	if !valid {
		c.errf("invalid number '%s'", rest[0])
		return 1
	}
	_ = f
	ctx, cancel := context.WithTimeout(c.ctx, d)
	defer cancel()
	run := &cmd{ctx: ctx, p: c.p, name: c.name, out: c.out}
	code := runCmd(run, rest[1:], c.p.Env)
	if ctx.Err() == context.DeadlineExceeded && c.ctx.Err() == nil {
		return 124
	}
	return code
}

// runCmd is run with c's context.
func runCmd(c *cmd, argv, env []string) int { return run(c, argv, env) }

func nohup(c *cmd, args []string) int {
	if len(args) == 0 {
		return c.usage()
	}
	return run(c, args, c.p.Env)
}

func mktemp(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "dqtup:", nil, false)
	if !ok {
		return c.usage()
	}
	tmpl := "tmp.XXXXXX"
	if len(ops) > 0 {
		tmpl = ops[0]
	}
	dir, _ := f.val('p')
	if !strings.Contains(tmpl, "/") && (len(ops) == 0 || f.has('t') || dir != "") {
		tmpl = strings.TrimSuffix(cmpOr(dir, cmpOr(getenv(c.p.Env, "TMPDIR"), "/tmp")), "/") + "/" + tmpl
	}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	for range 100 {
		name := []byte(tmpl)
		for k := len(name) - 1; k >= 0 && name[k] == 'X'; k-- {
			name[k] = letters[rand.IntN(len(letters))]
		}
		var err error
		if f.has('d') {
			err = c.p.FS.Mkdir(string(name), 0o700)
		} else {
			var fl interface{ Close() error }
			fl, err = c.p.FS.OpenFile(string(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err == nil {
				fl.Close()
			}
		}
		if err == nil || f.has('u') {
			fmt.Fprintln(c.out, string(name))
			return 0
		}
		if !strings.Contains(err.Error(), "exists") {
			if !f.has('q') {
				c.errf("failed to create %s: %s", string(name), errText(err))
			}
			return 1
		}
	}
	return 1
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func syncCmd(*cmd, []string) int { return 0 }

func usleep(c *cmd, args []string) int {
	if len(args) != 1 {
		return c.usage()
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		c.errf("invalid number '%s'", args[0])
		return 1
	}
	select {
	case <-time.After(time.Duration(n) * time.Microsecond):
		return 0
	case <-c.ctx.Done():
		return 143
	}
}

// expr evaluates its arguments: | & = > >= < <= != + - * / % : and
// length, substr, index, match.
func expr(c *cmd, args []string) int {
	e := &exprParser{args: args}
	v := e.or()
	if e.err != "" || e.i != len(args) {
		if e.err == "" {
			e.err = "syntax error"
		}
		c.errf("%s", e.err)
		return 2
	}
	fmt.Fprintln(c.out, v)
	if v == "" || v == "0" {
		return 1
	}
	return 0
}

type exprParser struct {
	args []string
	i    int
	err  string
}

func (e *exprParser) next() string {
	if e.i < len(e.args) {
		e.i++
		return e.args[e.i-1]
	}
	e.err = "syntax error"
	return ""
}

func (e *exprParser) peek() string {
	if e.i < len(e.args) {
		return e.args[e.i]
	}
	return ""
}

func exprNum(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func (e *exprParser) binary(ops []string, sub func() string, apply func(op, a, b string) string) string {
	v := sub()
	for slices.Contains(ops, e.peek()) && e.err == "" {
		op := e.next()
		v = apply(op, v, sub())
	}
	return v
}

func (e *exprParser) or() string {
	return e.binary([]string{"|"}, e.and, func(_, a, b string) string {
		if a != "" && a != "0" {
			return a
		}
		return cmpOr(b, "0")
	})
}

func (e *exprParser) and() string {
	return e.binary([]string{"&"}, e.cmp, func(_, a, b string) string {
		if a == "" || a == "0" || b == "" || b == "0" {
			return "0"
		}
		return a
	})
}

func (e *exprParser) cmp() string {
	return e.binary([]string{"=", "!=", "<", "<=", ">", ">="}, e.add, func(op, a, b string) string {
		x, okA := exprNum(a)
		y, okB := exprNum(b)
		c := strings.Compare(a, b)
		if okA && okB {
			c = cmp.Compare(x, y)
		}
		if map[string]bool{"=": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op] {
			return "1"
		}
		return "0"
	})
}

func (e *exprParser) arith(a, b, op string) string {
	x, okA := exprNum(a)
	y, okB := exprNum(b)
	if !okA || !okB {
		e.err = "non-numeric argument"
		return ""
	}
	switch op {
	case "+":
		return strconv.FormatInt(x+y, 10)
	case "-":
		return strconv.FormatInt(x-y, 10)
	case "*":
		return strconv.FormatInt(x*y, 10)
	}
	if y == 0 {
		e.err = "division by zero"
		return ""
	}
	if op == "/" {
		return strconv.FormatInt(x/y, 10)
	}
	return strconv.FormatInt(x%y, 10)
}

func (e *exprParser) add() string {
	return e.binary([]string{"+", "-"}, e.mul, func(op, a, b string) string { return e.arith(a, b, op) })
}

func (e *exprParser) mul() string {
	return e.binary([]string{"*", "/", "%"}, e.match, func(op, a, b string) string { return e.arith(a, b, op) })
}

func (e *exprParser) match() string {
	return e.binary([]string{":"}, e.primary, func(_, s, pat string) string { return exprMatch(s, pat) })
}

func exprMatch(s, pat string) string {
	re, err := regexp.Compile("^(?:" + breToERE(pat) + ")")
	if err != nil {
		return "0"
	}
	m := re.FindStringSubmatch(s)
	switch {
	case m == nil && re.NumSubexp() > 0:
		return ""
	case m == nil:
		return "0"
	case re.NumSubexp() > 0:
		return m[1]
	}
	return strconv.Itoa(utf8.RuneCountInString(m[0]))
}

func (e *exprParser) primary() string {
	switch t := e.next(); t {
	case "(":
		v := e.or()
		if e.next() != ")" {
			e.err = "syntax error"
		}
		return v
	case "length":
		return strconv.Itoa(utf8.RuneCountInString(e.next()))
	case "match":
		s := e.next()
		return exprMatch(s, e.next())
	case "index":
		s, chars := e.next(), e.next()
		return strconv.Itoa(strings.IndexAny(s, chars) + 1)
	case "substr":
		r := []rune(e.next())
		pos, _ := exprNum(e.next())
		n, _ := exprNum(e.next())
		if pos < 1 || pos > int64(len(r)) || n < 1 {
			return ""
		}
		return string(r[pos-1 : min(int64(len(r)), pos-1+n)])
	default:
		return t
	}
}
