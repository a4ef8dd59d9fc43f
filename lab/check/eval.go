package check

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kubelab/kubelab/lab/lesson"
)

// Reader lists the objects of a kind the checker can see.
type Reader interface {
	List(k Resource) []*unstructured.Unstructured
}

// outcome is one evaluation of one goal, before hold is considered.
type outcome struct {
	pass             bool
	expected, actual string
}

// evaluate judges goal g against what r holds now.
func (c *compiled) evaluate(r Reader) outcome {
	g := c.goal
	switch {
	case g.Exists != nil:
		return evalExists(r, c.kind, g.Exists)
	case g.Field != nil:
		return evalField(r, c.kind, c.name, c.path, g.Field, g.Expect != "")
	case g.Count != nil:
		return evalCount(r, c.kind, c.selector, g.Count)
	case g.Condition != nil:
		return evalCondition(r, c.kind, c.name, g.Condition)
	case g.ServiceReady != nil:
		return evalService(r, g.ServiceReady)
	case g.CEL != nil:
		return c.evalCEL(r)
	case g.Running != nil:
		return c.evalRunning(r)
	}
	return outcome{expected: "a goal", actual: "this goal has no kind"}
}

func find(r Reader, k Resource, name string) *unstructured.Unstructured {
	for _, o := range r.List(k) {
		if o.GetName() == name {
			return o
		}
	}
	return nil
}

func missing(r Reader, k Resource, name string) string {
	var names []string
	for _, o := range r.List(k) {
		names = append(names, o.GetName())
	}
	s := fmt.Sprintf("there is no %s named %s", k.Name, name)
	switch {
	case len(names) == 0:
		return s + " (there are no " + k.Plural + " at all)"
	case len(names) <= 5:
		return s + " (" + k.Plural + ": " + strings.Join(sortStrings(names), ", ") + ")"
	}
	return s
}

func evalExists(r Reader, k Resource, g *lesson.ExistsGoal) outcome {
	if g.Name != "" {
		o := outcome{expected: fmt.Sprintf("%s/%s exists", k.Name, g.Name)}
		if find(r, k, g.Name) != nil {
			o.pass, o.actual = true, fmt.Sprintf("%s/%s exists", k.Name, g.Name)
		} else {
			o.actual = missing(r, k, g.Name)
		}
		return o
	}
	sel, _ := labels.Parse(g.Selector)
	o := outcome{expected: fmt.Sprintf("a %s with %s", k.Name, g.Selector)}
	matched := matching(r.List(k), sel)
	if len(matched) > 0 {
		o.pass, o.actual = true, fmt.Sprintf("%s/%s has %s", k.Name, matched[0].GetName(), g.Selector)
		return o
	}
	o.actual = noneMatch(r.List(k), k, g.Selector, sel)
	return o
}

func matching(objs []*unstructured.Unstructured, sel labels.Selector) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetDeletionTimestamp() == nil && sel.Matches(labels.Set(o.GetLabels())) {
			out = append(out, o)
		}
	}
	return out
}

// noneMatch says that nothing matches, and what the objects carry instead
// for the same label keys: "no pod has app=web (pods have app=webapp)".
func noneMatch(objs []*unstructured.Unstructured, k Resource, text string, sel labels.Selector) string {
	return fmt.Sprintf("no %s has %s%s", k.Name, text, labelHint(objs, k, sel))
}

func labelHint(objs []*unstructured.Unstructured, k Resource, sel labels.Selector) string {
	reqs, _ := sel.Requirements()
	seen := map[string]bool{}
	var have []string
	for _, o := range objs {
		if o.GetDeletionTimestamp() != nil {
			continue
		}
		for _, req := range reqs {
			if v, ok := o.GetLabels()[req.Key()]; ok && !seen[req.Key()+"="+v] {
				seen[req.Key()+"="+v] = true
				have = append(have, req.Key()+"="+v)
			}
		}
	}
	switch {
	case len(objs) == 0:
		return " (there are no " + k.Plural + ")"
	case len(have) > 0:
		return " (" + k.Plural + " have " + strings.Join(sortStrings(have), ", ") + ")"
	}
	return " (no " + k.Name + " has labels with those keys)"
}

// evalField compares the value a field path reads (as kubectl prints it)
// with the goal. A path that matches several values (a wildcard, a filter
// that passes several items) compares as kubectl prints them, separated by
// spaces, for equals and not_equals; at_least and at_most hold for each.
// evalField compares a field. quiet (the goal has its own expect) keeps the
// wanted value out of the actual line too.
func evalField(r Reader, k Resource, name string, path Path, g *lesson.FieldGoal, quiet bool) outcome {
	words, known := words(path.String())
	want := ""
	switch {
	case g.Equals != nil:
		want = *g.Equals
	case g.NotEquals != nil:
		want = "anything but " + *g.NotEquals
	case g.AtLeast != nil:
		want = "at least " + describeValue(*g.AtLeast)
	case g.AtMost != nil:
		want = "at most " + describeValue(*g.AtMost)
	}
	o := outcome{expected: fmt.Sprintf("%s/%s: %s %s", k.Name, name, words, want)}
	obj := find(r, k, name)
	if obj == nil {
		o.actual = missing(r, k, name)
		return o
	}
	values, got, ok := path.Eval(obj.Object)
	switch {
	case g.Equals != nil:
		o.pass = ok && got == *g.Equals
	case g.NotEquals != nil:
		o.pass = got != *g.NotEquals
	case g.AtLeast != nil || g.AtMost != nil:
		if !ok {
			values, got = []any{int64(0)}, "0" // an unset count reads as zero, as kubectl shows it
		}
		o.pass = true
		for _, v := range values {
			n, isNum := asNumber(v)
			o.pass = o.pass && isNum && (g.AtLeast == nil || n >= *g.AtLeast) && (g.AtMost == nil || n <= *g.AtMost)
		}
	}
	switch {
	case known && !quiet && (g.AtLeast != nil || g.AtMost != nil):
		o.actual = fmt.Sprintf("%s/%s has %s %s, wants %s", k.Name, name, got, words, want)
	case !ok:
		o.actual = fmt.Sprintf("%s/%s has no %s set", k.Name, name, words)
	default:
		o.actual = fmt.Sprintf("%s/%s has %s %s", k.Name, name, words, got)
	}
	return o
}

func evalCount(r Reader, k Resource, sel labels.Selector, g *lesson.CountGoal) outcome {
	what := k.Plural
	if g.Ready {
		what = "ready " + what
	} else if g.Phase != "" {
		what = g.Phase + " " + what
	}
	if g.Selector != "" {
		what += " with " + g.Selector
	}
	var want string
	switch {
	case g.Equals != nil:
		want = fmt.Sprintf("exactly %d", *g.Equals)
	case g.AtLeast != nil && g.AtMost != nil:
		want = fmt.Sprintf("%d to %d", *g.AtLeast, *g.AtMost)
	case g.AtLeast != nil:
		want = fmt.Sprintf("at least %d", *g.AtLeast)
	case g.AtMost != nil:
		want = fmt.Sprintf("at most %d", *g.AtMost)
	}
	o := outcome{expected: want + " " + what}
	all := r.List(k)
	matched := matching(all, sel)
	n := 0
	var others []string
	for _, obj := range matched {
		switch {
		case g.Ready && !podReady(obj):
			others = append(others, obj.GetName()+": "+podState(obj))
		case g.Phase != "" && phase(obj) != g.Phase:
			others = append(others, obj.GetName()+": "+podState(obj))
		default:
			n++
		}
	}
	o.pass = (g.Equals == nil || n == *g.Equals) && (g.AtLeast == nil || n >= *g.AtLeast) && (g.AtMost == nil || n <= *g.AtMost)
	switch {
	case len(matched) == 0 && g.Selector != "":
		o.actual = noneMatch(all, k, g.Selector, sel)
	default:
		o.actual = fmt.Sprintf("%d %s", n, what)
		if len(others) > 0 {
			sort.Strings(others)
			if len(others) > 3 {
				others = append(others[:3], fmt.Sprintf("%d more", len(others)-3))
			}
			o.actual += "; not counted: " + strings.Join(others, ", ")
		}
	}
	return o
}

func phase(o *unstructured.Unstructured) string {
	p, _, _ := unstructured.NestedString(o.Object, "status", "phase")
	return p
}

func podReady(o *unstructured.Unstructured) bool {
	conds, _, _ := unstructured.NestedSlice(o.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			return m["status"] == "True"
		}
	}
	return false
}

// podState says why a pod is not ready, as `kubectl get pods` would show it.
func podState(o *unstructured.Unstructured) string {
	statuses, _, _ := unstructured.NestedSlice(o.Object, "status", "containerStatuses")
	for _, s := range statuses {
		m, _ := s.(map[string]any)
		if reason, ok, _ := unstructured.NestedString(m, "state", "waiting", "reason"); ok && reason != "" {
			return reason
		}
		if reason, ok, _ := unstructured.NestedString(m, "state", "terminated", "reason"); ok && reason != "" {
			return reason
		}
	}
	if p := phase(o); p != "" && p != "Running" {
		return p
	}
	return "not ready"
}

func evalCondition(r Reader, k Resource, name string, g *lesson.ConditionGoal) outcome {
	want := g.Status
	if want == "" {
		want = "True"
	}
	o := outcome{expected: fmt.Sprintf("%s/%s %s=%s", k.Name, name, g.Type, want)}
	obj := find(r, k, name)
	if obj == nil {
		o.actual = missing(r, k, name)
		return o
	}
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != g.Type {
			continue
		}
		status := describeValue(m["status"])
		o.pass = status == want
		o.actual = fmt.Sprintf("%s/%s %s=%s", k.Name, name, g.Type, status)
		if !o.pass {
			if reason := describeValue(m["reason"]); reason != "<none>" {
				o.actual += " (" + reason
				if msg := describeValue(m["message"]); msg != "<none>" {
					o.actual += ": " + msg
				}
				o.actual += ")"
			}
		}
		return o
	}
	o.actual = fmt.Sprintf("%s/%s has no %s condition yet", k.Name, name, g.Type)
	return o
}

var (
	podKind, _     = LookupResource("pod")
	serviceKind, _ = LookupResource("service")
)

func evalService(r Reader, g *lesson.ServiceGoal) outcome {
	o := outcome{expected: fmt.Sprintf("service/%s selects at least %d ready pods", g.Service, g.AtLeast)}
	svc := find(r, serviceKind, g.Service)
	if svc == nil {
		o.actual = missing(r, serviceKind, g.Service)
		return o
	}
	selMap, _, _ := unstructured.NestedStringMap(svc.Object, "spec", "selector")
	if len(selMap) == 0 {
		o.actual = fmt.Sprintf("service/%s has no selector, so it selects no pods", g.Service)
		return o
	}
	sel := labels.SelectorFromSet(selMap)
	text := sel.String()
	pods := r.List(podKind)
	matched := matching(pods, sel)
	if len(matched) == 0 {
		o.actual = fmt.Sprintf("service/%s selects %s; no pod has that label%s", g.Service, text, labelHint(pods, podKind, sel))
		return o
	}
	ready := 0
	var notReady []string
	for _, p := range matched {
		if podReady(p) {
			ready++
		} else {
			notReady = append(notReady, p.GetName()+": "+podState(p))
		}
	}
	if port, ok := wrongTargetPort(svc, matched); ok {
		o.actual = fmt.Sprintf("service/%s sends traffic to port %s, but its pods listen on %s", g.Service, port, containerPorts(matched))
		return o
	}
	o.pass = ready >= g.AtLeast
	o.actual = fmt.Sprintf("service/%s selects %d ready pod(s) with %s", g.Service, ready, text)
	if len(notReady) > 0 {
		sort.Strings(notReady)
		o.actual += "; not ready: " + strings.Join(notReady, ", ")
	}
	return o
}

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}
