package tools

import (
	"bufio"
	"errors"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// awkVal is a value: a number, a string, or a string from input that
// compares as a number where it looks like one.
type awkVal struct {
	s    string
	n    float64
	kind byte // 'n', 's', 'u' (input string)
}

func awkNum(n float64) awkVal { return awkVal{n: n, kind: 'n'} }
func awkStr(s string) awkVal  { return awkVal{s: s, kind: 's'} }
func awkInput(s string) awkVal {
	return awkVal{s: s, kind: 'u'}
}

func (v awkVal) str() string {
	if v.kind != 'n' {
		return v.s
	}
	if v.n == math.Trunc(v.n) && math.Abs(v.n) < 1e16 {
		return strconv.FormatInt(int64(v.n), 10)
	}
	return strconv.FormatFloat(v.n, 'g', 6, 64)
}

func (v awkVal) num() float64 {
	if v.kind == 'n' {
		return v.n
	}
	return leadingFloat(v.s)
}

// leadingFloat is strtod: the number a string starts with, 0 for none.
func leadingFloat(s string) float64 {
	s = strings.TrimLeft(s, " \t\n")
	end := 0
	for end < len(s) && strings.IndexByte("+-0123456789.eE", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
	}
	return 0
}

// numeric reports whether v compares as a number.
func (v awkVal) numeric() bool {
	if v.kind == 'n' {
		return true
	}
	if v.kind == 's' {
		return false
	}
	_, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
	return err == nil
}

func (v awkVal) truth() bool {
	if v.kind == 'n' || v.kind == 'u' && v.numeric() {
		return v.num() != 0
	}
	return v.s != ""
}

var (
	errNext     = errors.New("next")
	errExit     = errors.New("exit")
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

type awkInterp struct {
	c      *cmd
	vars   map[string]awkVal
	arrays map[string]map[string]awkVal
	fields []string
	out    *bufio.Writer
	files  map[string]sandbox.File
	res    map[string]*regexp.Regexp
	code   int
}

func awk(c *cmd, args []string) int {
	in := &awkInterp{c: c, vars: map[string]awkVal{}, arrays: map[string]map[string]awkVal{},
		out: c.out, files: map[string]sandbox.File{}, res: map[string]*regexp.Regexp{}}
	for k, v := range map[string]string{"FS": " ", "OFS": " ", "ORS": "\n", "SUBSEP": "\x1c", "CONVFMT": "%.6g", "OFMT": "%.6g"} {
		in.vars[k] = awkStr(v)
	}
	env := map[string]awkVal{}
	for _, kv := range c.p.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = awkInput(v)
	}
	in.arrays["ENVIRON"] = env
	var prog string
	var files []string
	for k := 0; k < len(args); k++ {
		a := args[k]
		switch {
		case a == "-F" && k+1 < len(args):
			k++
			in.vars["FS"] = awkStr(fsArg(args[k]))
		case strings.HasPrefix(a, "-F"):
			in.vars["FS"] = awkStr(fsArg(a[2:]))
		case a == "-v" && k+1 < len(args):
			k++
			name, val, _ := strings.Cut(args[k], "=")
			s, _ := printf.Unescape(val, false)
			in.vars[name] = awkInput(s)
		case a == "-f" && k+1 < len(args):
			k++
			b, err := c.readAll(args[k])
			if err != nil {
				c.errf("can't open '%s': %s", args[k], errText(err))
				return 2
			}
			prog += string(b) + "\n"
		case a == "--":
			files = append(files, args[k+1:]...)
			k = len(args)
		case prog == "" && !strings.HasPrefix(a, "-") || prog != "" || len(a) < 2:
			if prog == "" && len(files) == 0 {
				prog = a
			} else {
				files = append(files, a)
			}
		default:
			c.errf("invalid option -- '%s'", a[1:2])
			return c.usage()
		}
	}
	toks, err := awkLex(prog)
	if err != nil {
		c.errf("cmd. line:1: %v", err)
		return 2
	}
	items, err := (&awkParser{toks: toks}).program()
	if err != nil {
		c.errf("cmd. line:1: %v", err)
		return 2
	}
	defer func() {
		for _, f := range in.files {
			f.Close()
		}
	}()
	return in.run(items, files)
}

// fsArg reads -F: "t" is a tab, and escapes count.
func fsArg(s string) string {
	if s == "t" {
		return "\t"
	}
	u, _ := printf.Unescape(s, false)
	return u
}

func (in *awkInterp) run(items []*awkItem, files []string) int {
	exited := false
	runKind := func(kind string) {
		for _, it := range items {
			if it.kind == kind && !exited {
				if err := in.execAll(it.action); errors.Is(err, errExit) {
					exited = true
				}
			}
		}
	}
	runKind("BEGIN")
	hasMain := false
	for _, it := range items {
		hasMain = hasMain || it.kind != "BEGIN"
	}
	if !exited && hasMain {
		exited = in.mainLoop(items, files)
	}
	exited = false
	runKind("END")
	return in.code
}

// mainLoop reads the input's records; it reports an exit.
func (in *awkInterp) mainLoop(items []*awkItem, files []string) bool {
	var inputs []string
	for _, f := range files {
		if name, val, ok := strings.Cut(f, "="); ok && regexp.MustCompile(`^[A-Za-z_]\w*$`).MatchString(name) {
			inputs = append(inputs, "\x00"+name+"="+val)
			continue
		}
		inputs = append(inputs, f)
	}
	if len(inputs) == 0 || strings.HasPrefix(inputs[len(inputs)-1], "\x00") && !hasFile(inputs) {
		inputs = append(inputs, "-")
	}
	nr := 0
	for _, name := range inputs {
		if assign, ok := strings.CutPrefix(name, "\x00"); ok {
			k, v, _ := strings.Cut(assign, "=")
			in.vars[k] = awkInput(v)
			continue
		}
		r, err := in.c.open(name)
		if err != nil {
			in.c.errf("can't open file %s: %s", name, errText(err))
			in.code = 2
			continue
		}
		in.vars["FILENAME"] = awkStr(name)
		fnr := 0
		exited := false
		in.c.lines(r, func(line string) bool {
			nr++
			fnr++
			in.vars["NR"], in.vars["FNR"] = awkNum(float64(nr)), awkNum(float64(fnr))
			in.setRecord(line)
			for _, it := range items {
				if it.kind != "main" || !in.selected(it) {
					continue
				}
				err := in.execAll(it.action)
				if errors.Is(err, errNext) {
					break
				}
				if errors.Is(err, errExit) {
					exited = true
					return false
				}
			}
			return true
		})
		r.Close()
		if exited {
			return true
		}
	}
	return false
}

func hasFile(inputs []string) bool {
	for _, i := range inputs {
		if !strings.HasPrefix(i, "\x00") {
			return true
		}
	}
	return false
}

func (in *awkInterp) selected(it *awkItem) bool {
	switch {
	case it.pat == nil:
		return true
	case it.pat2 == nil:
		return in.match(it.pat)
	case it.active:
		if in.match(it.pat2) {
			it.active = false
		}
		return true
	case in.match(it.pat):
		it.active = !in.match(it.pat2)
		return true
	}
	return false
}

// match is a pattern's truth; a bare /re/ matches $0.
func (in *awkInterp) match(n *awkNode) bool {
	if n.op == "re" {
		return n.re.MatchString(in.fields[0])
	}
	return in.eval(n).truth()
}

func (in *awkInterp) fs() string { return in.vars["FS"].str() }

func (in *awkInterp) setRecord(line string) {
	in.fields = append([]string{line}, in.split(line, in.fs())...)
	in.vars["NF"] = awkNum(float64(len(in.fields) - 1))
}

func (in *awkInterp) split(s, fs string) []string {
	switch {
	case fs == " ":
		return strings.Fields(s)
	case s == "":
		return nil
	case len(fs) == 1 && fs != "\\":
		return strings.Split(s, fs)
	}
	return in.regex(fs).Split(s, -1)
}

func (in *awkInterp) regex(src string) *regexp.Regexp {
	if re, ok := in.res[src]; ok {
		return re
	}
	re, err := regexp.Compile(src)
	if err != nil {
		re = regexp.MustCompile(regexp.QuoteMeta(src))
	}
	in.res[src] = re
	return re
}

// setField sets $i, rebuilding $0 (or the fields, for $0).
func (in *awkInterp) setField(i int, s string) {
	if i == 0 {
		in.setRecord(s)
		return
	}
	for len(in.fields) <= i {
		in.fields = append(in.fields, "")
	}
	in.fields[i] = s
	in.vars["NF"] = awkNum(float64(len(in.fields) - 1))
	in.rebuild()
}

func (in *awkInterp) rebuild() {
	in.fields[0] = strings.Join(in.fields[1:], in.vars["OFS"].str())
}

func (in *awkInterp) output(n *awkNode, text string) error {
	if len(n.els) == 0 {
		_, err := in.out.WriteString(text)
		return err
	}
	name := in.eval(n.els[0]).str()
	f, ok := in.files[name]
	if !ok {
		flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if n.s == ">>" {
			flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
		}
		var err error
		if f, err = in.c.p.FS.OpenFile(name, flag, 0o666); err != nil {
			in.c.errf("can't redirect to '%s': %s", name, errText(err))
			return errExit
		}
		in.files[name] = f
	}
	_, err := io.WriteString(f, text)
	return err
}
