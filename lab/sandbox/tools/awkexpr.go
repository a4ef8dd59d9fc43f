package tools

import (
	"fmt"
	"regexp"
)

func (p *awkParser) exprList(end string) ([]*awkNode, error) {
	var out []*awkNode
	for !p.accept("op", end) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !p.accept("op", ",") && !p.is("op", end) {
			return nil, fmt.Errorf("syntax error: expected %s", end)
		}
	}
	return out, nil
}

func (p *awkParser) expr() (*awkNode, error) { return p.ternary(false) }

func lvalue(n *awkNode) bool { return n.op == "var" || n.op == "field" || n.op == "index" }

func (p *awkParser) ternary(noGT bool) (*awkNode, error) {
	c, err := p.binary(0, noGT)
	if err != nil {
		return nil, err
	}
	if lvalue(c) && p.is("op", "") {
		switch op := p.peek().s; op {
		case "=", "+=", "-=", "*=", "/=", "%=", "^=", "**=":
			p.i++
			p.skipNL()
			v, err := p.ternary(noGT)
			return &awkNode{op: "assign", s: op, args: []*awkNode{c, v}}, err
		}
	}
	if !p.accept("op", "?") {
		return c, nil
	}
	p.skipNL()
	a, err := p.ternary(noGT)
	if err != nil {
		return nil, err
	}
	p.skipNL()
	if err := p.expect("op", ":"); err != nil {
		return nil, err
	}
	p.skipNL()
	b, err := p.ternary(noGT)
	return &awkNode{op: "cond", args: []*awkNode{c, a, b}}, err
}

// levels are the binary operators from the loosest.
var awkLevels = [][]string{{"||"}, {"&&"}, {"in"}, {"~", "!~"}, {"<", "<=", "!=", "==", ">", ">="}}

func (p *awkParser) binary(level int, noGT bool) (*awkNode, error) {
	if level == len(awkLevels) {
		return p.concat(noGT)
	}
	x, err := p.binary(level+1, noGT)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		found := ""
		for _, op := range awkLevels[level] {
			if (t.kind == "op" || t.kind == "kw") && t.s == op && !(noGT && op == ">") {
				found = op
			}
		}
		if found == "" {
			return x, nil
		}
		p.i++
		if found == "&&" || found == "||" {
			p.skipNL()
		}
		if found == "in" {
			if !p.is("name", "") {
				return nil, fmt.Errorf("syntax error: in needs an array")
			}
			x = &awkNode{op: "in", args: []*awkNode{x, {op: "var", s: p.peek().s}}}
			p.i++
			continue
		}
		y, err := p.binary(level+1, noGT)
		if err != nil {
			return nil, err
		}
		x = &awkNode{op: "binary", s: found, args: []*awkNode{x, y}}
	}
}

// concat is juxtaposition: a b c.
func (p *awkParser) concat(noGT bool) (*awkNode, error) {
	x, err := p.additive()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		starts := t.kind == "num" || t.kind == "str" || t.kind == "name" || t.kind == "func" || t.kind == "re" ||
			t.kind == "op" && (t.s == "$" || t.s == "(" || t.s == "!" || t.s == "++" || t.s == "--")
		if !starts {
			return x, nil
		}
		y, err := p.additive()
		if err != nil {
			return nil, err
		}
		x = &awkNode{op: "binary", s: "concat", args: []*awkNode{x, y}}
	}
}

func (p *awkParser) additive() (*awkNode, error) {
	x, err := p.multiplicative()
	for err == nil && (p.is("op", "+") || p.is("op", "-")) {
		op := p.peek().s
		p.i++
		var y *awkNode
		if y, err = p.multiplicative(); err == nil {
			x = &awkNode{op: "binary", s: op, args: []*awkNode{x, y}}
		}
	}
	return x, err
}

func (p *awkParser) multiplicative() (*awkNode, error) {
	x, err := p.unary()
	for err == nil && (p.is("op", "*") || p.is("op", "/") || p.is("op", "%")) {
		op := p.peek().s
		p.i++
		var y *awkNode
		if y, err = p.unary(); err == nil {
			x = &awkNode{op: "binary", s: op, args: []*awkNode{x, y}}
		}
	}
	return x, err
}

func (p *awkParser) unary() (*awkNode, error) {
	for _, op := range []string{"!", "-", "+"} {
		if p.accept("op", op) {
			x, err := p.unary()
			return &awkNode{op: "unary", s: op, args: []*awkNode{x}}, err
		}
	}
	return p.power()
}

func (p *awkParser) power() (*awkNode, error) {
	x, err := p.postfix()
	if err == nil && (p.is("op", "^") || p.is("op", "**")) {
		p.i++
		var y *awkNode
		if y, err = p.unary(); err == nil {
			x = &awkNode{op: "binary", s: "^", args: []*awkNode{x, y}}
		}
	}
	return x, err
}

func (p *awkParser) postfix() (*awkNode, error) {
	if p.is("op", "++") || p.is("op", "--") {
		op := p.peek().s
		p.i++
		x, err := p.postfix()
		if err == nil && !lvalue(x) {
			err = fmt.Errorf("syntax error: %s needs a variable", op)
		}
		return &awkNode{op: "incr", s: "pre" + op, args: []*awkNode{x}}, err
	}
	x, err := p.primary()
	if err == nil && lvalue(x) && (p.is("op", "++") || p.is("op", "--")) {
		op := p.peek().s
		p.i++
		return &awkNode{op: "incr", s: "post" + op, args: []*awkNode{x}}, nil
	}
	return x, err
}

func (p *awkParser) primary() (*awkNode, error) {
	t := p.peek()
	p.i++
	switch t.kind {
	case "num":
		return &awkNode{op: "num", n: t.n}, nil
	case "str":
		return &awkNode{op: "str", s: t.s}, nil
	case "re":
		re, err := regexp.Compile(t.s)
		if err != nil {
			return nil, fmt.Errorf("bad regex '%s': %v", t.s, err)
		}
		return &awkNode{op: "re", s: t.s, re: re}, nil
	case "name":
		if p.accept("op", "[") {
			keys, err := p.exprList("]")
			return &awkNode{op: "index", s: t.s, args: keys}, err
		}
		return &awkNode{op: "var", s: t.s}, nil
	case "func":
		n := &awkNode{op: "call", s: t.s}
		if p.accept("op", "(") {
			args, err := p.exprList(")")
			if err != nil {
				return nil, err
			}
			n.args = args
		} else if t.s != "length" {
			return nil, fmt.Errorf("syntax error: %s needs (", t.s)
		}
		return n, nil
	case "op":
		switch t.s {
		case "$":
			x, err := p.postfixField()
			return &awkNode{op: "field", args: []*awkNode{x}}, err
		case "(":
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			return &awkNode{op: "group", args: []*awkNode{x}}, p.expect("op", ")")
		}
	case "kw":
		if t.s == "getline" {
			return nil, fmt.Errorf("getline is not supported")
		}
	}
	return nil, fmt.Errorf("syntax error: unexpected %q", t.s)
}

// postfixField reads what $ applies to: $1, $NF, $(i+1), $i++ is ($i)++.
func (p *awkParser) postfixField() (*awkNode, error) {
	if p.accept("op", "-") {
		x, err := p.postfixField()
		return &awkNode{op: "unary", s: "-", args: []*awkNode{x}}, err
	}
	if p.is("op", "++") || p.is("op", "--") {
		return p.postfix()
	}
	return p.primary()
}
