package tools

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kubelab/kubelab/lab/sandbox"
)

func (in *awkInterp) execAll(list []*awkNode) error {
	for _, st := range list {
		if err := in.exec(st); err != nil {
			return err
		}
	}
	return nil
}

func (in *awkInterp) exec(n *awkNode) error {
	if in.c.stopped() {
		return errExit
	}
	switch n.op {
	case "block":
		return in.execAll(n.body)
	case "expr":
		in.eval(n.args[0])
	case "print":
		var parts []string
		for _, a := range n.args {
			v := in.eval(a)
			s := v.str()
			if v.kind == 'n' && v.n != math.Trunc(v.n) {
				s = in.format(in.vars["OFMT"].str(), []awkVal{v})
			}
			parts = append(parts, s)
		}
		if len(n.args) == 0 {
			parts = []string{in.fields0()}
		}
		return in.output(n, strings.Join(parts, in.vars["OFS"].str())+in.vars["ORS"].str())
	case "printf":
		if len(n.args) == 0 {
			return nil
		}
		var vals []awkVal
		for _, a := range n.args[1:] {
			vals = append(vals, in.eval(a))
		}
		return in.output(n, in.format(in.eval(n.args[0]).str(), vals))
	case "if":
		if in.eval(n.args[0]).truth() {
			return in.execAll(n.body)
		}
		return in.execAll(n.els)
	case "while", "do":
		for first := true; n.op == "do" && first || in.eval(n.args[0]).truth(); first = false {
			if err := in.execAll(n.body); errors.Is(err, errBreak) {
				break
			} else if err != nil && !errors.Is(err, errContinue) {
				return err
			}
			if in.c.stopped() {
				return errExit
			}
		}
	case "for":
		if n.args[0] != nil {
			in.eval(n.args[0])
		}
		for n.args[1] == nil || in.eval(n.args[1]).truth() {
			if err := in.execAll(n.body); errors.Is(err, errBreak) {
				break
			} else if err != nil && !errors.Is(err, errContinue) {
				return err
			}
			if n.args[2] != nil {
				in.eval(n.args[2])
			}
			if in.c.stopped() {
				return errExit
			}
		}
	case "forin":
		keys := slices.Sorted(mapKeys(in.array(n.args[0].s)))
		for _, k := range keys {
			in.vars[n.s] = awkInput(k)
			if err := in.execAll(n.body); errors.Is(err, errBreak) {
				break
			} else if err != nil && !errors.Is(err, errContinue) {
				return err
			}
		}
	case "break":
		return errBreak
	case "continue":
		return errContinue
	case "next":
		return errNext
	case "exit":
		if len(n.args) > 0 {
			in.code = int(in.eval(n.args[0]).num())
		}
		return errExit
	case "delete":
		if len(n.args) == 0 {
			in.arrays[n.s] = map[string]awkVal{}
		} else {
			delete(in.array(n.s), in.key(n.args))
		}
	}
	return nil
}

func mapKeys(m map[string]awkVal) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func (in *awkInterp) fields0() string {
	if len(in.fields) == 0 {
		return ""
	}
	return in.fields[0]
}

func (in *awkInterp) array(name string) map[string]awkVal {
	a, ok := in.arrays[name]
	if !ok {
		a = map[string]awkVal{}
		in.arrays[name] = a
	}
	return a
}

func (in *awkInterp) key(args []*awkNode) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, in.eval(a).str())
	}
	return strings.Join(parts, in.vars["SUBSEP"].str())
}

func (in *awkInterp) get(n *awkNode) awkVal {
	switch n.op {
	case "var":
		if n.s == "NF" {
			return awkNum(float64(max(0, len(in.fields)-1)))
		}
		return in.vars[n.s]
	case "field":
		i := int(in.eval(n.args[0]).num())
		if i >= 0 && i < len(in.fields) {
			return awkInput(in.fields[i])
		}
		return awkInput("")
	}
	return in.array(n.s)[in.key(n.args)]
}

func (in *awkInterp) set(n *awkNode, v awkVal) awkVal {
	switch n.op {
	case "var":
		if n.s == "NF" {
			nf := max(0, int(v.num()))
			for len(in.fields) < nf+1 {
				in.fields = append(in.fields, "")
			}
			in.fields = in.fields[:nf+1]
			in.rebuild()
		}
		in.vars[n.s] = v
	case "field":
		in.setField(max(0, int(in.eval(n.args[0]).num())), v.str())
	default:
		in.array(n.s)[in.key(n.args)] = v
	}
	return v
}

func (in *awkInterp) eval(n *awkNode) awkVal {
	switch n.op {
	case "num":
		return awkNum(n.n)
	case "str":
		return awkStr(n.s)
	case "re":
		return awkNum(b2f(n.re.MatchString(in.fields0())))
	case "var", "field", "index":
		return in.get(n)
	case "group":
		return in.eval(n.args[0])
	case "assign":
		v := in.eval(n.args[1])
		if n.s != "=" {
			v = awkNum(arith(strings.TrimSuffix(n.s, "="), in.get(n.args[0]).num(), v.num()))
		}
		if v.kind == 'u' {
			v = awkVal{s: v.s, kind: 'u'}
		}
		return in.set(n.args[0], v)
	case "cond":
		if in.eval(n.args[0]).truth() {
			return in.eval(n.args[1])
		}
		return in.eval(n.args[2])
	case "incr":
		old := in.get(n.args[0]).num()
		d := 1.0
		if strings.HasSuffix(n.s, "--") {
			d = -1
		}
		in.set(n.args[0], awkNum(old+d))
		if strings.HasPrefix(n.s, "pre") {
			return awkNum(old + d)
		}
		return awkNum(old)
	case "in":
		_, ok := in.array(n.args[1].s)[in.eval(n.args[0]).str()]
		return awkNum(b2f(ok))
	case "unary":
		v := in.eval(n.args[0])
		switch n.s {
		case "!":
			return awkNum(b2f(!v.truth()))
		case "-":
			return awkNum(-v.num())
		}
		return awkNum(v.num())
	case "binary":
		return in.binary(n)
	case "call":
		return in.call(n)
	}
	return awkStr("")
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func arith(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		if b == 0 {
			return math.NaN()
		}
		return a / b
	case "%":
		if b == 0 {
			return math.NaN()
		}
		return math.Mod(a, b)
	}
	return math.Pow(a, b)
}

func (in *awkInterp) binary(n *awkNode) awkVal {
	switch n.s {
	case "&&":
		return awkNum(b2f(in.eval(n.args[0]).truth() && in.eval(n.args[1]).truth()))
	case "||":
		return awkNum(b2f(in.eval(n.args[0]).truth() || in.eval(n.args[1]).truth()))
	case "~", "!~":
		s := in.eval(n.args[0]).str()
		var ok bool
		if n.args[1].op == "re" {
			ok = n.args[1].re.MatchString(s)
		} else {
			ok = in.regex(in.eval(n.args[1]).str()).MatchString(s)
		}
		return awkNum(b2f(ok == (n.s == "~")))
	}
	a, b := in.eval(n.args[0]), in.eval(n.args[1])
	switch n.s {
	case "concat":
		return awkStr(a.str() + b.str())
	case "<", "<=", ">", ">=", "==", "!=":
		var c int
		if a.numeric() && b.numeric() {
			c = cmpF(a.num(), b.num())
		} else {
			c = strings.Compare(a.str(), b.str())
		}
		ok := map[string]bool{"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "==": c == 0, "!=": c != 0}[n.s]
		return awkNum(b2f(ok))
	}
	return awkNum(arith(n.s, a.num(), b.num()))
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (in *awkInterp) call(n *awkNode) awkVal {
	arg := func(k int) awkVal {
		if k < len(n.args) {
			return in.eval(n.args[k])
		}
		return awkStr("")
	}
	switch n.s {
	case "length":
		if len(n.args) == 0 {
			return awkNum(float64(utf8.RuneCountInString(in.fields0())))
		}
		if n.args[0].op == "var" {
			if a, ok := in.arrays[n.args[0].s]; ok {
				return awkNum(float64(len(a)))
			}
		}
		return awkNum(float64(utf8.RuneCountInString(arg(0).str())))
	case "substr":
		r := []rune(arg(0).str())
		start := int(math.Round(arg(1).num()))
		end := len(r) + 1
		if len(n.args) > 2 {
			end = start + int(math.Round(arg(2).num()))
		}
		start, end = max(1, start), min(len(r)+1, end)
		if start >= end {
			return awkStr("")
		}
		return awkStr(string(r[start-1 : end-1]))
	case "index":
		return awkNum(float64(utf8.RuneCountInString(arg(0).str()[:max(0, strings.Index(arg(0).str(), arg(1).str()))]) +
			int(b2f(strings.Contains(arg(0).str(), arg(1).str())))))
	case "split":
		fs := in.fs()
		if len(n.args) > 2 {
			fs = arg(2).str()
			if n.args[2].op == "re" {
				fs = n.args[2].s
			}
		}
		parts := in.split(arg(0).str(), fs)
		a := map[string]awkVal{}
		for k, p := range parts {
			a[strconv.Itoa(k+1)] = awkInput(p)
		}
		in.arrays[n.args[1].s] = a
		return awkNum(float64(len(parts)))
	case "sub", "gsub":
		return in.sub(n, n.s == "gsub")
	case "match":
		re := in.regexArg(n.args[1])
		loc := re.FindStringIndex(arg(0).str())
		if loc == nil {
			in.vars["RSTART"], in.vars["RLENGTH"] = awkNum(0), awkNum(-1)
			return awkNum(0)
		}
		in.vars["RSTART"], in.vars["RLENGTH"] = awkNum(float64(loc[0]+1)), awkNum(float64(loc[1]-loc[0]))
		return awkNum(float64(loc[0] + 1))
	case "sprintf":
		var vals []awkVal
		for k := 1; k < len(n.args); k++ {
			vals = append(vals, arg(k))
		}
		return awkStr(in.format(arg(0).str(), vals))
	case "tolower":
		return awkStr(strings.ToLower(arg(0).str()))
	case "toupper":
		return awkStr(strings.ToUpper(arg(0).str()))
	case "int":
		return awkNum(math.Trunc(arg(0).num()))
	case "sqrt":
		return awkNum(math.Sqrt(arg(0).num()))
	case "exp":
		return awkNum(math.Exp(arg(0).num()))
	case "log":
		return awkNum(math.Log(arg(0).num()))
	case "sin":
		return awkNum(math.Sin(arg(0).num()))
	case "cos":
		return awkNum(math.Cos(arg(0).num()))
	case "atan2":
		return awkNum(math.Atan2(arg(0).num(), arg(1).num()))
	case "rand":
		return awkNum(rand.Float64())
	case "srand":
		return awkNum(0)
	case "system":
		in.out.Flush()
		code, err := in.c.p.Start(in.c.ctx, &sandbox.Proc{Args: []string{"sh", "-c", arg(0).str()},
			Env: in.c.p.Env, Dir: in.c.p.Dir, Stdin: in.c.p.Stdin, Stdout: in.c.p.Stdout, Stderr: in.c.p.Stderr})
		if err != nil {
			code = 127
		}
		return awkNum(float64(code))
	}
	return awkStr("")
}

func (in *awkInterp) regexArg(n *awkNode) interface {
	FindStringIndex(string) []int
	ReplaceAllStringFunc(string, func(string) string) string
	FindAllStringIndex(string, int) [][]int
} {
	if n.op == "re" {
		return n.re
	}
	return in.regex(in.eval(n).str())
}

// sub implements sub and gsub: & in the replacement is the match.
func (in *awkInterp) sub(n *awkNode, global bool) awkVal {
	if len(n.args) < 2 {
		return awkNum(0)
	}
	re := in.regexArg(n.args[0])
	repl := in.eval(n.args[1]).str()
	target := &awkNode{op: "field", args: []*awkNode{{op: "num", n: 0}}}
	if len(n.args) > 2 {
		target = n.args[2]
	}
	s := in.get(target).str()
	count := 0
	var b strings.Builder
	prev := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if !global && count == 1 {
			break
		}
		b.WriteString(s[prev:m[0]])
		for i := 0; i < len(repl); i++ {
			switch {
			case repl[i] == '\\' && i+1 < len(repl) && (repl[i+1] == '&' || repl[i+1] == '\\'):
				b.WriteByte(repl[i+1])
				i++
			case repl[i] == '&':
				b.WriteString(s[m[0]:m[1]])
			default:
				b.WriteByte(repl[i])
			}
		}
		prev = m[1]
		count++
	}
	if count > 0 {
		b.WriteString(s[prev:])
		in.set(target, awkStr(b.String()))
	}
	return awkNum(float64(count))
}

// format is awk's printf.
func (in *awkInterp) format(f string, vals []awkVal) string {
	var b strings.Builder
	next := func() awkVal {
		if len(vals) == 0 {
			return awkStr("")
		}
		v := vals[0]
		vals = vals[1:]
		return v
	}
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		j := i + 1
		spec := "%"
		for j < len(f) && strings.IndexByte("-+ #0123456789.*", f[j]) >= 0 {
			if f[j] == '*' {
				spec += strconv.Itoa(int(next().num()))
			} else {
				spec += string(f[j])
			}
			j++
		}
		if j >= len(f) {
			b.WriteString(f[i:])
			break
		}
		switch verb := f[j]; verb {
		case '%':
			b.WriteByte('%')
		case 'd', 'i':
			fmt.Fprintf(&b, spec+"d", int64(next().num()))
		case 'o', 'x', 'X':
			fmt.Fprintf(&b, spec+string(verb), int64(next().num()))
		case 'u':
			fmt.Fprintf(&b, spec+"d", uint64(next().num()))
		case 'c':
			v := next()
			if v.kind == 'n' {
				fmt.Fprintf(&b, spec+"c", rune(int(v.n)))
			} else if r, _ := utf8.DecodeRuneInString(v.s); v.s != "" {
				fmt.Fprintf(&b, spec+"c", r)
			}
		case 's':
			fmt.Fprintf(&b, spec+"s", next().str())
		case 'e', 'E', 'f', 'F', 'g', 'G':
			fmt.Fprintf(&b, spec+string(verb), next().num())
		default:
			b.WriteString(f[i : j+1])
		}
		i = j
	}
	return b.String()
}
