package tools

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// findExpr is a compiled find expression.
type findExpr func(c *cmd, p string, fi fs.FileInfo, depth int) bool

// findParser reads find's expression: -name -iname -path -type -size
// -mtime -mmin -newer -empty -maxdepth -mindepth -print -print0 -exec
// -delete -prune, with !, -a, -o and parentheses.
type findParser struct {
	c        *cmd
	args     []string
	i        int
	err      string
	action   bool
	maxDepth int
	minDepth int
	pruned   bool
}

func find(c *cmd, args []string) int {
	var roots []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "!" && args[0] != "(" {
		roots, args = append(roots, args[0]), args[1:]
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	fp := &findParser{c: c, args: args, maxDepth: -1}
	expr := findExpr(func(*cmd, string, fs.FileInfo, int) bool { return true })
	if len(args) > 0 {
		expr = fp.or()
		if fp.err == "" && fp.i < len(args) {
			fp.err = fmt.Sprintf("unrecognized: %s", args[fp.i])
		}
	}
	if fp.err != "" {
		c.errf("%s", fp.err)
		return 1
	}
	if !fp.action {
		inner := expr
		expr = func(c *cmd, p string, fi fs.FileInfo, d int) bool {
			if inner(c, p, fi, d) {
				fmt.Fprintln(c.out, p)
			}
			return true
		}
	}
	status := 0
	var walk func(p string, depth int)
	walk = func(p string, depth int) {
		if c.stopped() {
			return
		}
		fi, err := c.p.FS.Lstat(p)
		if err != nil {
			c.perror(p, err)
			status = 1
			return
		}
		fp.pruned = false
		if depth >= fp.minDepth {
			expr(c, p, fi, depth)
		}
		if !fi.IsDir() || fp.pruned || fp.maxDepth >= 0 && depth >= fp.maxDepth {
			return
		}
		des, err := c.p.FS.ReadDir(p)
		if err != nil {
			c.perror(p, err)
			status = 1
			return
		}
		for _, de := range des {
			walk(path.Join(p, de.Name()), depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return status
}

func (fp *findParser) peek() string {
	if fp.i < len(fp.args) {
		return fp.args[fp.i]
	}
	return ""
}

func (fp *findParser) or() findExpr {
	x := fp.and()
	for fp.peek() == "-o" || fp.peek() == "-or" {
		fp.i++
		y := fp.and()
		a := x
		x = func(c *cmd, p string, fi fs.FileInfo, d int) bool { return a(c, p, fi, d) || y(c, p, fi, d) }
	}
	return x
}

func (fp *findParser) and() findExpr {
	x := fp.not()
	for {
		switch fp.peek() {
		case "-a", "-and":
			fp.i++
		case "", "-o", "-or", ")":
			return x
		}
		if fp.err != "" {
			return x
		}
		y := fp.not()
		a := x
		x = func(c *cmd, p string, fi fs.FileInfo, d int) bool { return a(c, p, fi, d) && y(c, p, fi, d) }
	}
}

func (fp *findParser) not() findExpr {
	if fp.peek() == "!" || fp.peek() == "-not" {
		fp.i++
		x := fp.not()
		return func(c *cmd, p string, fi fs.FileInfo, d int) bool { return !x(c, p, fi, d) }
	}
	return fp.primary()
}

func (fp *findParser) arg() string {
	if fp.i >= len(fp.args) {
		fp.err = fmt.Sprintf("%s: requires an argument", fp.args[fp.i-1])
		return ""
	}
	fp.i++
	return fp.args[fp.i-1]
}

func (fp *findParser) primary() findExpr {
	never := func(*cmd, string, fs.FileInfo, int) bool { return false }
	always := func(*cmd, string, fs.FileInfo, int) bool { return true }
	if fp.i >= len(fp.args) {
		fp.err = "expression expected"
		return never
	}
	op := fp.args[fp.i]
	fp.i++
	switch op {
	case "(":
		x := fp.or()
		if fp.peek() != ")" {
			fp.err = "missing )"
		}
		fp.i++
		return x
	case "-name", "-iname":
		pat := fp.arg()
		return func(_ *cmd, p string, _ fs.FileInfo, _ int) bool {
			base := path.Base(p)
			if op == "-iname" {
				base, pat = strings.ToLower(base), strings.ToLower(pat)
			}
			ok, _ := path.Match(pat, base)
			return ok
		}
	case "-path", "-wholename":
		pat := fp.arg()
		return func(_ *cmd, p string, _ fs.FileInfo, _ int) bool { ok, _ := matchPath(pat, p); return ok }
	case "-type":
		t := fp.arg()
		return func(_ *cmd, _ string, fi fs.FileInfo, _ int) bool {
			m := fi.Mode()
			return map[string]bool{"f": m.IsRegular(), "d": m.IsDir(), "l": m&fs.ModeSymlink != 0,
				"p": m&fs.ModeNamedPipe != 0, "s": m&fs.ModeSocket != 0, "c": m&fs.ModeCharDevice != 0,
				"b": m&fs.ModeDevice != 0 && m&fs.ModeCharDevice == 0}[t]
		}
	case "-empty":
		return func(c *cmd, p string, fi fs.FileInfo, _ int) bool {
			if fi.IsDir() {
				des, err := c.p.FS.ReadDir(p)
				return err == nil && len(des) == 0
			}
			return fi.Mode().IsRegular() && fi.Size() == 0
		}
	case "-size":
		spec := fp.arg()
		return fp.compare(spec, func(fi fs.FileInfo, unit int64) int64 { return (fi.Size() + unit - 1) / unit }, map[byte]int64{
			'c': 1, 'k': 1024, 'M': 1 << 20, 'G': 1 << 30, 'b': 512}, 512)
	case "-mtime", "-mmin":
		spec := fp.arg()
		per := int64(24 * time.Hour)
		if op == "-mmin" {
			per = int64(time.Minute)
		}
		return fp.compare(spec, func(fi fs.FileInfo, _ int64) int64 { return int64(time.Since(fi.ModTime())) / per }, nil, 1)
	case "-newer":
		ref := fp.arg()
		return func(c *cmd, _ string, fi fs.FileInfo, _ int) bool {
			rf, err := c.p.FS.Stat(ref)
			return err == nil && fi.ModTime().After(rf.ModTime())
		}
	case "-maxdepth", "-mindepth":
		n, err := strconv.Atoi(fp.arg())
		if err != nil {
			fp.err = "invalid number"
		}
		if op == "-maxdepth" {
			fp.maxDepth = n
		} else {
			fp.minDepth = n
		}
		return always
	case "-print", "-print0":
		fp.action = true
		end := "\n"
		if op == "-print0" {
			end = "\x00"
		}
		return func(c *cmd, p string, _ fs.FileInfo, _ int) bool { c.out.WriteString(p + end); return true }
	case "-prune":
		return func(*cmd, string, fs.FileInfo, int) bool { fp.pruned = true; return true }
	case "-delete":
		fp.action = true
		return func(c *cmd, p string, _ fs.FileInfo, _ int) bool {
			if err := c.p.FS.Remove(p); err != nil {
				c.perror(p, err)
				return false
			}
			return true
		}
	case "-exec", "-ok":
		fp.action = true
		var argv []string
		for fp.i < len(fp.args) && fp.args[fp.i] != ";" && fp.args[fp.i] != "+" {
			argv = append(argv, fp.args[fp.i])
			fp.i++
		}
		if fp.i >= len(fp.args) || len(argv) == 0 {
			fp.err = "-exec CMD must end by ';'"
			return never
		}
		fp.i++
		return func(c *cmd, p string, _ fs.FileInfo, _ int) bool {
			run := make([]string, len(argv))
			for k, a := range argv {
				run[k] = strings.ReplaceAll(a, "{}", p)
			}
			c.out.Flush()
			return runQuiet(c, run) == 0
		}
	}
	fp.err = fmt.Sprintf("unrecognized: %s", op)
	return never
}

// compare reads -size and -mtime's [+-]N[unit].
func (fp *findParser) compare(spec string, value func(fs.FileInfo, int64) int64, units map[byte]int64, def int64) findExpr {
	sign := byte(0)
	if spec != "" && (spec[0] == '+' || spec[0] == '-') {
		sign, spec = spec[0], spec[1:]
	}
	unit := def
	if spec != "" && units != nil {
		if u, ok := units[spec[len(spec)-1]]; ok {
			unit, spec = u, spec[:len(spec)-1]
		}
	}
	n, err := strconv.ParseInt(spec, 10, 64)
	if err != nil {
		fp.err = "invalid argument"
	}
	return func(_ *cmd, _ string, fi fs.FileInfo, _ int) bool {
		v := value(fi, unit)
		switch sign {
		case '+':
			return v > n
		case '-':
			return v < n
		}
		return v == n
	}
}

// matchPath is -path: * matches / too.
func matchPath(pat, p string) (bool, error) {
	re, err := regexp.Compile("^" + globRegexp(pat) + "$")
	if err != nil {
		return false, err
	}
	return re.MatchString(p), nil
}

// globRegexp turns a shell pattern into a regular expression in which *
// and ? match any character, / included.
func globRegexp(pat string) string {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		switch ch := pat[i]; ch {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			end := strings.IndexByte(pat[i+1:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + class + "]")
			i += end + 1
		case '\\':
			if i+1 < len(pat) {
				i++
				b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	return b.String()
}

// runQuiet runs a command of the container, reporting a missing one.
func runQuiet(c *cmd, argv []string) int { return run(c, argv, c.p.Env) }
