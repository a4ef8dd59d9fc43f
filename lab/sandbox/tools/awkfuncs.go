package tools

import (
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
