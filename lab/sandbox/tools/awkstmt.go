package tools

import (
	"fmt"
)

func (p *awkParser) endSimple() error {
	if p.is("nl", "") || p.is("op", "}") || p.is("eof", "") {
		p.accept("nl", "")
		return nil
	}
	return fmt.Errorf("syntax error: unexpected %q", p.peek().s)
}

func (p *awkParser) cond() (*awkNode, error) {
	if err := p.expect("op", "("); err != nil {
		return nil, err
	}
	e, err := p.expr()
	if err != nil {
		return nil, err
	}
	return e, p.expect("op", ")")
}

func (p *awkParser) body() ([]*awkNode, error) {
	p.skipNL()
	st, err := p.stmt()
	if err != nil {
		return nil, err
	}
	return []*awkNode{st}, nil
}

func (p *awkParser) stmt() (*awkNode, error) {
	t := p.peek()
	switch {
	case t.kind == "op" && t.s == "{":
		b, err := p.block()
		return &awkNode{op: "block", body: b}, err
	case t.kind == "nl":
		p.i++
		return &awkNode{op: "block"}, nil
	case t.kind != "kw":
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		return &awkNode{op: "expr", args: []*awkNode{e}}, p.endSimple()
	}
	p.i++
	switch t.s {
	case "if":
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		then, err := p.body()
		if err != nil {
			return nil, err
		}
		n := &awkNode{op: "if", args: []*awkNode{c}, body: then}
		save := p.i
		p.skipNL()
		if p.accept("kw", "else") {
			if n.els, err = p.body(); err != nil {
				return nil, err
			}
		} else {
			p.i = save
		}
		return n, nil
	case "while":
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		b, err := p.body()
		return &awkNode{op: "while", args: []*awkNode{c}, body: b}, err
	case "do":
		b, err := p.body()
		if err != nil {
			return nil, err
		}
		p.skipNL()
		if err := p.expect("kw", "while"); err != nil {
			return nil, err
		}
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		return &awkNode{op: "do", args: []*awkNode{c}, body: b}, p.endSimple()
	case "for":
		return p.forStmt()
	case "break", "continue", "next":
		return &awkNode{op: t.s}, p.endSimple()
	case "exit":
		n := &awkNode{op: "exit"}
		if !p.is("nl", "") && !p.is("op", "}") && !p.is("eof", "") {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			n.args = []*awkNode{e}
		}
		return n, p.endSimple()
	case "delete":
		if !p.is("name", "") {
			return nil, fmt.Errorf("syntax error: delete needs an array")
		}
		name := p.peek().s
		p.i++
		n := &awkNode{op: "delete", s: name}
		if p.accept("op", "[") {
			keys, err := p.exprList("]")
			if err != nil {
				return nil, err
			}
			n.args = keys
		}
		return n, p.endSimple()
	case "print", "printf":
		n := &awkNode{op: t.s}
		if !p.is("nl", "") && !p.is("op", "}") && !p.is("op", ">") && !p.is("op", ">>") && !p.is("op", "|") {
			for {
				e, err := p.ternary(true)
				if err != nil {
					return nil, err
				}
				n.args = append(n.args, e)
				if !p.accept("op", ",") {
					break
				}
				p.skipNL()
			}
		}
		if p.is("op", ">") || p.is("op", ">>") {
			n.s = p.peek().s
			p.i++
			dest, err := p.concat(true)
			if err != nil {
				return nil, err
			}
			n.els = []*awkNode{dest}
		} else if p.is("op", "|") {
			return nil, fmt.Errorf("output to a pipe is not supported")
		}
		return n, p.endSimple()
	}
	return nil, fmt.Errorf("syntax error: %s is not supported", t.s)
}

func (p *awkParser) forStmt() (*awkNode, error) {
	if err := p.expect("op", "("); err != nil {
		return nil, err
	}
	if p.is("name", "") && p.toks[p.i+1].kind == "kw" && p.toks[p.i+1].s == "in" && p.toks[p.i+2].kind == "name" &&
		p.toks[p.i+3].s == ")" {
		v, arr := p.peek().s, p.toks[p.i+2].s
		p.i += 4
		b, err := p.body()
		return &awkNode{op: "forin", s: v, args: []*awkNode{{op: "var", s: arr}}, body: b}, err
	}
	var parts [3]*awkNode
	for k := range 3 {
		end := ";"
		if k == 2 {
			end = ")"
		}
		if !p.is("nl", "") && !p.is("op", ")") {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			parts[k] = e
		}
		if end == ";" {
			if !p.accept("nl", "") {
				return nil, fmt.Errorf("syntax error in for")
			}
		} else if err := p.expect("op", ")"); err != nil {
			return nil, err
		}
	}
	b, err := p.body()
	return &awkNode{op: "for", args: parts[:], body: b}, err
}
