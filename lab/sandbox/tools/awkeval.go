package tools

import (
	"errors"
	"math"
	"slices"
	"strings"
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
