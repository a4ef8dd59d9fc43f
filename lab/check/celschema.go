package check

import (
	"fmt"
	"reflect"
	"strings"

	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/operators"
	"github.com/google/cel-go/common/types"
)

// A cel goal's expression reads `object`, an object of the kind the goal
// names. checkCEL follows every field it selects from `object` (and from
// the variables of macros over its lists: `containers.all(c, c.image ...)`)
// through the kind's Go type, as CheckPath does for a field goal's path, so
// that `object.status.succeded` fails lint with "did you mean".

// celType is what a CEL subexpression is known to be: the Go type of the
// API field it reads (nil: not known) and its path from object, for messages.
type celType struct {
	t  reflect.Type
	at string
}

// checkCEL checks the fields src selects from an object of kind r.
func checkCEL(r Resource, src string) error {
	root, ok := apiTypes()[r.GVR]
	if !ok {
		return nil
	}
	ast, iss := celEnv.Parse(src)
	if iss.Err() != nil {
		return nil // compile says what is wrong
	}
	w := &celWalk{kind: kindWord(r)}
	w.typeOf(ast.NativeRep().Expr(), map[string]celType{"object": {t: root}})
	return w.err
}

type celWalk struct {
	kind string
	err  error // the first field the API's type does not have
}

// field is t's field name, as the walk of a path does (walk in schema.go).
func (w *celWalk) field(in celType, name string) celType {
	t := deref(in.t)
	if t == nil || w.err != nil {
		return celType{}
	}
	at := strings.TrimPrefix(in.at+"."+name, ".")
	switch {
	case t.Kind() == reflect.Map:
		return celType{t: t.Elem(), at: at}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		w.err = fmt.Errorf("%s is a list: pick an item with [0], or go through its items with a macro such as .all(c, ...), before .%s", in.at, name)
	case t.Kind() == reflect.Struct && !leaf(t):
		fields := jsonFields(t)
		ft, ok := fields[name]
		if !ok {
			w.err = schemaError(w.kind, in.at, name, fields)
			return celType{}
		}
		return celType{t: ft, at: at}
	case t.Kind() == reflect.Interface || leaf(t):
	default:
		w.err = fmt.Errorf("%s is a single value; it has no field %q", in.at, name)
	}
	return celType{}
}

// item is what indexing (or a macro's variable over) t gives.
func item(in celType) celType {
	t := deref(in.t)
	if t == nil {
		return celType{}
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return celType{t: t.Elem(), at: in.at + "[]"}
	case reflect.Map:
		return celType{t: t.Elem(), at: in.at + "[]"}
	}
	return celType{}
}

// typeOf checks e and its subexpressions and says what e reads.
func (w *celWalk) typeOf(e celast.Expr, scope map[string]celType) celType {
	if e == nil || w.err != nil {
		return celType{}
	}
	switch e.Kind() {
	case celast.IdentKind:
		return scope[e.AsIdent()]
	case celast.SelectKind:
		s := e.AsSelect()
		ft := w.field(w.typeOf(s.Operand(), scope), s.FieldName())
		if s.IsTestOnly() {
			return celType{}
		}
		return ft
	case celast.CallKind:
		c := e.AsCall()
		args := c.Args()
		switch fn := c.FunctionName(); {
		case (fn == operators.OptSelect) && len(args) == 2 && args[1].Kind() == celast.LiteralKind:
			name, ok := args[1].AsLiteral().(types.String)
			if ok {
				return w.field(w.typeOf(args[0], scope), string(name))
			}
		case (fn == operators.Index || fn == operators.OptIndex) && len(args) == 2:
			w.typeOf(args[1], scope)
			return item(w.typeOf(args[0], scope))
		case c.IsMemberFunction() && (fn == "orValue" || fn == "value"):
			for _, a := range args {
				w.typeOf(a, scope)
			}
			return w.typeOf(c.Target(), scope)
		}
		if c.IsMemberFunction() {
			w.typeOf(c.Target(), scope)
		}
		for _, a := range args {
			w.typeOf(a, scope)
		}
	case celast.ComprehensionKind:
		c := e.AsComprehension()
		rng := w.typeOf(c.IterRange(), scope)
		inner := make(map[string]celType, len(scope)+2)
		for k, v := range scope {
			inner[k] = v
		}
		// A list's macro variable is its item; a map's is its key. With two
		// variables, the first is the index or key, the second the item.
		t := deref(rng.t)
		list := t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array)
		inner[c.IterVar()] = celType{}
		switch {
		case c.HasIterVar2():
			inner[c.IterVar2()] = item(rng)
		case list:
			inner[c.IterVar()] = item(rng)
		}
		inner[c.AccuVar()] = celType{}
		w.typeOf(c.AccuInit(), scope)
		w.typeOf(c.LoopCondition(), inner)
		w.typeOf(c.LoopStep(), inner)
		w.typeOf(c.Result(), inner)
	case celast.ListKind:
		for _, el := range e.AsList().Elements() {
			w.typeOf(el, scope)
		}
	case celast.MapKind:
		for _, en := range e.AsMap().Entries() {
			if me, ok := en.(celast.MapEntry); ok {
				w.typeOf(me.Key(), scope)
				w.typeOf(me.Value(), scope)
			}
		}
	}
	return celType{}
}
