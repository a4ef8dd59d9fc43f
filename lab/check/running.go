package check

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// evalRunning judges a running goal: the pods it is about have every
// container running and ready, none restarted since the goal first saw it.
func (c *compiled) evalRunning(r Reader) outcome {
	g := c.goal.Running
	want := max(1, g.AtLeast)
	var pods []*unstructured.Unstructured
	what := "pod/" + g.Pod
	if g.Pod != "" {
		if p := find(r, podKind, g.Pod); p != nil && p.GetDeletionTimestamp() == nil {
			pods = append(pods, p)
		}
	} else {
		what = fmt.Sprintf("%d pod(s) with %s", want, g.Selector)
		for _, p := range matching(r.List(podKind), c.selector) {
			if p.GetDeletionTimestamp() == nil {
				pods = append(pods, p)
			}
		}
	}
	o := outcome{expected: what + ": every container running and ready, none restarted since the step began"}
	if len(pods) == 0 {
		if g.Pod != "" {
			o.actual = missing(r, podKind, g.Pod)
		} else {
			o.actual = noneMatch(r.List(podKind), podKind, g.Selector, c.selector)
		}
		return o
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].GetName() < pods[j].GetName() })
	var wrong []string
	for _, p := range pods {
		if why := c.notRunning(p); why != "" {
			wrong = append(wrong, p.GetName()+": "+why)
		}
	}
	switch {
	case len(wrong) > 0:
		if len(wrong) > 3 {
			wrong = append(wrong[:3], fmt.Sprintf("and %d more", len(wrong)-3))
		}
		o.actual = strings.Join(wrong, "; ")
	case len(pods) < want:
		o.actual = fmt.Sprintf("%d pod(s) with %s, all running", len(pods), g.Selector)
	default:
		o.pass = true
		o.actual = fmt.Sprintf("%d pod(s), every container running and ready", len(pods))
	}
	return o
}

// notRunning says what is wrong with pod p's containers ("" if nothing).
func (c *compiled) notRunning(p *unstructured.Unstructured) string {
	specs, _, _ := unstructured.NestedSlice(p.Object, "spec", "containers")
	statuses, _, _ := unstructured.NestedSlice(p.Object, "status", "containerStatuses")
	byName := map[string]map[string]any{}
	for _, s := range statuses {
		if m, ok := s.(map[string]any); ok {
			name, _ := m["name"].(string)
			byName[name] = m
		}
	}
	var out []string
	for _, s := range specs {
		name, _ := s.(map[string]any)["name"].(string)
		st, ok := byName[name]
		if !ok {
			out = append(out, name+" not started")
			continue
		}
		key := string(p.GetUID()) + "/" + name
		n, _, _ := unstructured.NestedInt64(st, "restartCount")
		base, seen := c.restarts[key]
		if !seen {
			c.restarts[key], base = n, n
		}
		_, running, _ := unstructured.NestedMap(st, "state", "running")
		ready, _, _ := unstructured.NestedBool(st, "ready")
		switch {
		case !running:
			reason := "not running"
			for _, state := range []string{"waiting", "terminated"} {
				if r, ok, _ := unstructured.NestedString(st, "state", state, "reason"); ok && r != "" {
					reason = r
				}
			}
			out = append(out, fmt.Sprintf("%s %s", name, reason))
		case n > base:
			out = append(out, fmt.Sprintf("%s restarted %d time(s) since the step began", name, n-base))
		case !ready:
			out = append(out, name+" running, not ready")
		}
	}
	return strings.Join(out, ", ")
}
