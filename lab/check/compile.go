package check

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubelab/kubelab/lab/lesson"
)

// compiled is a goal made ready to evaluate: kinds looked up, paths and
// selectors parsed, CEL compiled.
type compiled struct {
	goal     lesson.Goal
	kind     Resource
	name     string
	path     Path
	selector labels.Selector
	expr     cel.Program
	actual   cel.Program
	// restarts are the containers' restart counts when the goal first saw
	// them, by pod UID and container (running goals).
	restarts map[string]int64
}

var celEnv = func() *cel.Env {
	env, err := cel.NewEnv(append([]cel.EnvOption{cel.Variable("object", cel.DynType), cel.OptionalTypes(), ext.Strings()}, celFuncs()...)...)
	if err != nil {
		panic(err)
	}
	return env
}()

// Validate says what is wrong with a goal, for the lesson loader: its
// form, and what it names against the API's schema (schema.go).
func Validate(g lesson.Goal) error {
	c, err := compile(g)
	if err != nil {
		return err
	}
	switch {
	case g.Field != nil:
		t, err := CheckPath(c.kind, c.path)
		if err != nil || t == nil {
			return err
		}
		what := kindWord(c.kind) + " " + lastField(strings.Trim(c.path.text, "{}"))
		for _, v := range []*string{g.Field.Equals, g.Field.NotEquals} {
			if v != nil {
				if err := checkValue(t, *v, what); err != nil {
					return fmt.Errorf("path %s: %w", c.path.text, err)
				}
			}
		}
	case g.Count != nil && g.Count.Phase != "":
		return checkValue(reflect.TypeFor[corev1.PodPhase](), g.Count.Phase, "Pod phase")
	case g.Condition != nil:
		return checkCondition(c.kind, g.Condition.Type, g.Condition.Status)
	case g.CEL != nil:
		if err := checkCEL(c.kind, g.CEL.Expr); err != nil {
			return fmt.Errorf("cel expr: %w", err)
		}
		if err := checkCEL(c.kind, g.CEL.Actual); err != nil {
			return fmt.Errorf("cel actual: %w", err)
		}
	}
	return nil
}

// ValidateRef says what is wrong with a solution command's reference to a
// field of an object (kind/name and a JSONPath template), for the loader.
func ValidateRef(object, path string) error {
	kind, _, err := ParseObject(object)
	if err != nil {
		return err
	}
	p, err := ParsePath(path)
	if err != nil {
		return err
	}
	_, err = CheckPath(kind, p)
	return err
}

func compile(g lesson.Goal) (*compiled, error) {
	c := &compiled{goal: g, selector: labels.Everything()}
	var err error
	parseSel := func(s string) error {
		if s == "" {
			return nil
		}
		c.selector, err = labels.Parse(s)
		if err != nil {
			return fmt.Errorf("selector %q: %v", s, err)
		}
		return nil
	}
	switch {
	case g.Exists != nil:
		if c.kind, err = LookupResource(g.Exists.Kind); err != nil {
			return nil, err
		}
		if (g.Exists.Name == "") == (g.Exists.Selector == "") {
			return nil, fmt.Errorf("exists needs a name or a selector (one of them)")
		}
		c.name = g.Exists.Name
		return c, parseSel(g.Exists.Selector)
	case g.Field != nil:
		if c.kind, c.name, err = ParseObject(g.Field.Object); err != nil {
			return nil, err
		}
		if c.path, err = ParsePath(g.Field.Path); err != nil {
			return nil, err
		}
		n := 0
		for _, set := range []bool{g.Field.Equals != nil, g.Field.NotEquals != nil, g.Field.AtLeast != nil || g.Field.AtMost != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return nil, fmt.Errorf("field needs one comparison: equals, not_equals, or at_least/at_most")
		}
		return c, nil
	case g.Count != nil:
		if c.kind, err = LookupResource(g.Count.Kind); err != nil {
			return nil, err
		}
		if g.Count.Equals == nil && g.Count.AtLeast == nil && g.Count.AtMost == nil {
			return nil, fmt.Errorf("count needs equals, at_least or at_most")
		}
		if (g.Count.Ready || g.Count.Phase != "") && c.kind.Name != "pod" {
			return nil, fmt.Errorf("ready and phase apply to pods only")
		}
		return c, parseSel(g.Count.Selector)
	case g.Condition != nil:
		if c.kind, c.name, err = ParseObject(g.Condition.Object); err != nil {
			return nil, err
		}
		if g.Condition.Type == "" {
			return nil, fmt.Errorf("condition needs a type, such as Available or Ready")
		}
		return c, nil
	case g.ServiceReady != nil:
		if g.ServiceReady.Service == "" || g.ServiceReady.AtLeast < 1 {
			return nil, fmt.Errorf("service_ready needs a service and at_least >= 1")
		}
		c.kind = serviceKind
		return c, nil
	case g.CEL != nil:
		if c.kind, err = LookupResource(g.CEL.Kind); err != nil {
			return nil, err
		}
		if (g.CEL.Name == "") == (g.CEL.Selector == "") {
			return nil, fmt.Errorf("cel needs the name of the object it looks at, or a selector for the objects it looks among (one of them)")
		}
		if strings.TrimSpace(g.Expect) == "" {
			return nil, fmt.Errorf("a cel goal needs expect: what passing means, in words (beside cel:, not inside it)")
		}
		c.name = g.CEL.Name
		if c.expr, err = program(g.CEL.Expr, types.BoolType); err != nil {
			return nil, fmt.Errorf("cel expr: %v", err)
		}
		if g.CEL.Actual != "" {
			if c.actual, err = program(g.CEL.Actual, types.StringType); err != nil {
				return nil, fmt.Errorf("cel actual: %v", err)
			}
		}
		return c, parseSel(g.CEL.Selector)
	case g.Running != nil:
		c.kind, c.restarts = podKind, map[string]int64{}
		if (g.Running.Pod == "") == (g.Running.Selector == "") {
			return nil, fmt.Errorf("running needs a pod or a selector (one of them)")
		}
		if g.Running.AtLeast < 0 || (g.Running.Pod != "" && g.Running.AtLeast > 1) {
			return nil, fmt.Errorf("running's at_least counts pods matching its selector (1 or more)")
		}
		return c, parseSel(g.Running.Selector)
	}
	return nil, fmt.Errorf("the goal has no kind")
}

func program(src string, want *types.Type) (cel.Program, error) {
	ast, iss := celEnv.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if t := ast.OutputType(); t != want && t != types.DynType {
		return nil, fmt.Errorf("%q gives %v, want %v", src, t, want)
	}
	return celEnv.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.InterruptCheckFrequency(100))
}

func (c *compiled) evalCEL(r Reader) outcome {
	if c.goal.CEL.Selector != "" {
		return c.evalCELAny(r)
	}
	obj := find(r, c.kind, c.name)
	if obj == nil {
		return outcome{expected: c.goal.Expect, actual: missing(r, c.kind, c.name)}
	}
	return c.evalCELOn(obj)
}

// evalCELAny passes when the expression is true of at least one object
// matching the selector; it says what the first one (a passing one, if
// any) has.
func (c *compiled) evalCELAny(r Reader) outcome {
	all := r.List(c.kind)
	objs := matching(all, c.selector)
	if len(objs) == 0 {
		return outcome{expected: c.goal.Expect, actual: noneMatch(all, c.kind, c.goal.CEL.Selector, c.selector)}
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].GetName() < objs[j].GetName() })
	first := c.evalCELOn(objs[0])
	for _, o := range objs {
		if out := c.evalCELOn(o); out.pass {
			return out
		}
	}
	return first
}

// evalCELOn judges the expression on one object.
func (c *compiled) evalCELOn(obj *unstructured.Unstructured) outcome {
	o := outcome{expected: c.goal.Expect}
	vars := map[string]any{"object": obj.Object}
	out, _, err := c.expr.Eval(vars)
	if err != nil {
		o.actual = fmt.Sprintf("%s/%s: not yet (%v)", c.kind.Name, obj.GetName(), err)
		return o
	}
	o.pass = out == types.True
	if c.actual != nil {
		if a, _, err := c.actual.Eval(vars); err == nil {
			o.actual = fmt.Sprint(a.Value())
			return o
		}
	}
	if o.pass {
		o.actual = c.goal.Expect
	} else {
		o.actual = "not yet"
	}
	return o
}
