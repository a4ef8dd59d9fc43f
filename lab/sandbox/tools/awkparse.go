package tools

import (
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"regexp"
	"strconv"
	"strings"
)

// The awk here is a subset: patterns (BEGIN, END, expressions, /re/,
// ranges), print and printf (with > and >> to files), variables, fields,
// arrays with for-in and delete, if/while/do/for, next, exit, and the
// string and math builtins. No user functions, getline or pipes.

type awkTok struct {
	kind string // "num", "str", "re", "name", "func" (builtin), "kw", "op", "nl", "eof"
	s    string
	n    float64
}

var awkKeywords = map[string]bool{"BEGIN": true, "END": true, "if": true, "else": true, "while": true,
	"for": true, "do": true, "break": true, "continue": true, "next": true, "exit": true, "delete": true,
	"in": true, "print": true, "printf": true, "function": true, "return": true, "getline": true}

var awkBuiltins = map[string]bool{"length": true, "substr": true, "index": true, "split": true, "sub": true,
	"gsub": true, "match": true, "sprintf": true, "tolower": true, "toupper": true, "int": true, "sqrt": true,
	"exp": true, "log": true, "sin": true, "cos": true, "atan2": true, "rand": true, "srand": true, "system": true}

// awkLex splits a program into tokens; a / starts a regexp where an operand
// may start.
func awkLex(src string) ([]awkTok, error) {
	var toks []awkTok
	operand := func() bool {
		if len(toks) == 0 {
			return true
		}
		t := toks[len(toks)-1]
		switch t.kind {
		case "num", "str", "re", "name", "func":
			return false
		case "op":
			return t.s != ")" && t.s != "]" && t.s != "$" && t.s != "++" && t.s != "--"
		}
		return true
	}
	for i := 0; i < len(src); {
		ch := src[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\r':
			i++
		case ch == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
		case ch == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '\n' || ch == ';':
			toks = append(toks, awkTok{kind: "nl", s: string(ch)})
			i++
		case ch >= '0' && ch <= '9' || ch == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				(src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			n, err := strconv.ParseFloat(src[i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q", src[i:j])
			}
			toks = append(toks, awkTok{kind: "num", n: n, s: src[i:j]})
			i = j
		case ch == '"':
			j := i + 1
			var b strings.Builder
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' && j+1 < len(src) {
					s, _ := printf.Unescape(src[j:j+2], false)
					if src[j+1] == '"' || src[j+1] == '/' {
						s = src[j+1 : j+2]
					}
					b.WriteString(s)
					j += 2
					continue
				}
				b.WriteByte(src[j])
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, awkTok{kind: "str", s: b.String()})
			i = j + 1
		case ch == '/' && operand():
			j := i + 1
			for j < len(src) && src[j] != '/' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated regexp")
			}
			toks = append(toks, awkTok{kind: "re", s: strings.ReplaceAll(src[i+1:j], `\/`, "/")})
			i = j + 1
		case ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			w := src[i:j]
			kind := "name"
			switch {
			case awkKeywords[w]:
				kind = "kw"
			case awkBuiltins[w]:
				kind = "func"
			}
			toks = append(toks, awkTok{kind: kind, s: w})
			i = j
		default:
			op := ""
			for _, o := range []string{"**=", "+=", "-=", "*=", "/=", "%=", "^=", "==", "<=", ">=", "!=", "++", "--",
				"&&", "||", ">>", "!~", "**"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				if strings.IndexByte("{}()[],+-*/%^!<>|?:~$=", ch) < 0 {
					return nil, fmt.Errorf("unexpected character '%c'", ch)
				}
				op = string(ch)
			}
			toks = append(toks, awkTok{kind: "op", s: op})
			i += len(op)
		}
	}
	return append(toks, awkTok{kind: "eof"}), nil
}

// awkNode is an expression or a statement.
type awkNode struct {
	op   string // "num", "str", "re", "var", "field", "index", "call", "assign", "binary", "unary", "cond", "incr", "in", "group", statements...
	s    string
	n    float64
	re   *regexp.Regexp
	args []*awkNode
	body []*awkNode
	els  []*awkNode
}

// awkItem is pattern { action }.
type awkItem struct {
	kind   string // "BEGIN", "END", "main"
	pat    *awkNode
	pat2   *awkNode
	action []*awkNode
	active bool
}

type awkParser struct {
	toks []awkTok
	i    int
}

func (p *awkParser) peek() awkTok { return p.toks[p.i] }

func (p *awkParser) is(kind, s string) bool {
	t := p.peek()
	return t.kind == kind && (s == "" || t.s == s)
}

func (p *awkParser) accept(kind, s string) bool {
	if p.is(kind, s) {
		p.i++
		return true
	}
	return false
}

func (p *awkParser) expect(kind, s string) error {
	if !p.accept(kind, s) {
		t := p.peek()
		return fmt.Errorf("syntax error: unexpected %q, expected %q", t.s, s)
	}
	return nil
}

func (p *awkParser) skipNL() {
	for p.is("nl", "") {
		p.i++
	}
}

func (p *awkParser) program() ([]*awkItem, error) {
	var items []*awkItem
	for p.skipNL(); !p.is("eof", ""); p.skipNL() {
		it := &awkItem{kind: "main"}
		switch {
		case p.accept("kw", "BEGIN"):
			it.kind = "BEGIN"
		case p.accept("kw", "END"):
			it.kind = "END"
		case p.is("kw", "function"):
			return nil, fmt.Errorf("user functions are not supported")
		case !p.is("op", "{"):
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			it.pat = e
			if p.accept("op", ",") {
				p.skipNL()
				if it.pat2, err = p.expr(); err != nil {
					return nil, err
				}
			}
		}
		if p.is("op", "{") {
			body, err := p.block()
			if err != nil {
				return nil, err
			}
			it.action = body
		} else if it.kind != "main" {
			return nil, fmt.Errorf("syntax error: %s needs an action", it.kind)
		} else {
			it.action = []*awkNode{{op: "print"}}
		}
		items = append(items, it)
	}
	return items, nil
}

func (p *awkParser) block() ([]*awkNode, error) {
	if err := p.expect("op", "{"); err != nil {
		return nil, err
	}
	var out []*awkNode
	for p.skipNL(); !p.accept("op", "}"); p.skipNL() {
		if p.is("eof", "") {
			return nil, fmt.Errorf("syntax error: missing }")
		}
		st, err := p.stmt()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}
