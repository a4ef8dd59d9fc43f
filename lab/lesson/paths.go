package lesson

import (
	"fmt"
	"regexp"
	"strings"
)

// refRE finds {{ kind/name .path }} in a solution command: an object, then a
// kubectl JSONPath expression written without its braces (a ref's own
// {{ }} already delimit it).
var refRE = regexp.MustCompile(`\{\{\s*([a-z]+/[a-z0-9.-]+)\s+(.+?)\s*\}\}`)

// Ref is one {{ kind/name .path }} of a solution command: it stands for what
// `kubectl get kind/name -o jsonpath='{.path}'` prints when the solution runs.
type Ref struct {
	Object string // kind/name, as in pod/web
	Expr   string // the JSONPath expression without braces: .status.podIP
}

// Path is the ref's kubectl JSONPath template: its expression in braces.
func (r Ref) Path() string { return "{" + r.Expr + "}" }

func (r Ref) String() string { return "{{ " + r.Object + " " + r.Expr + " }}" }

// Refs lists the refs of a solution command, in order.
func Refs(cmd string) []Ref {
	var refs []Ref
	for _, m := range refRE.FindAllStringSubmatch(cmd, -1) {
		refs = append(refs, Ref{Object: m[1], Expr: m[2]})
	}
	return refs
}

// ExpandRefs replaces every ref of cmd with value(ref), and returns the
// first error value gave.
func ExpandRefs(cmd string, value func(Ref) (string, error)) (string, error) {
	var firstErr error
	out := refRE.ReplaceAllStringFunc(cmd, func(m string) string {
		sub := refRE.FindStringSubmatch(m)
		v, err := value(Ref{Object: sub[1], Expr: sub[2]})
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	return out, firstErr
}

// refs checks the {{ kind/name .path }} of a solution's commands.
func (c *checker) refs(at string, s Solution) {
	for i, cmd := range s.Commands {
		cat := fmt.Sprintf("%s.commands[%d]", at, i)
		refs := Refs(cmd)
		if strings.Count(cmd, "{{") > len(refs)+len(factRE.FindAllString(cmd, -1)) {
			c.add(cat, "%q: each {{ needs an object and a path, as in {{ pod/web .status.podIP }}, or names a cluster fact, as in {{ cluster.workers }}", cmd)
		}
		for _, r := range refs {
			switch {
			case strings.HasPrefix(r.Expr, "{"):
				c.add(cat, "%s: write the path without braces, {{ %s %s }}: it stands for kubectl get %s -o jsonpath='%s'",
					r, r.Object, strings.TrimSuffix(strings.TrimPrefix(r.Expr, "{"), "}"), r.Object, r.Expr)
			case c.v.Ref != nil:
				if err := c.v.Ref(r.Object, r.Path()); err != nil {
					c.add(cat, "%s: %v", r, err)
				}
			}
		}
	}
}

// bracketKey is a format_version 1 ['key'] or ["key"] step.
var bracketKey = regexp.MustCompile(`\[(?:'([^']*)'|"([^"]*)")\]`)

// jsonPathOf rewrites a format_version 1 path (spec.containers[0].image,
// data['COLOR']) as the kubectl JSONPath expression that reads the same
// field (.spec.containers[0].image, .data.COLOR): both name fields and [n]
// alike; JSONPath names a key holding dots by escaping them.
func jsonPathOf(old string) string {
	s := bracketKey.ReplaceAllStringFunc(old, func(m string) string {
		sub := bracketKey.FindStringSubmatch(m)
		return "." + strings.ReplaceAll(sub[1]+sub[2], ".", `\.`)
	})
	return "." + strings.TrimPrefix(s, ".")
}

// formatV1 explains, one problem per path, how a format_version 1 lesson's
// paths read in format_version 2 (kubectl JSONPath), then lets the rest of
// the lesson be checked as format_version 2 with those paths.
func (c *checker) formatV1(l *Lesson) {
	c.add("format_version", "format_version 1 is the old format: set format_version: %d, where goal and {{ }} paths are kubectl JSONPath (lessons/README.md)", FormatVersion)
	l.FormatVersion = FormatVersion
	goals := func(at string, gs []Goal) {
		for i := range gs {
			f := gs[i].Field
			if f == nil || f.Path == "" {
				continue
			}
			p := "{" + jsonPathOf(f.Path) + "}"
			c.add(fmt.Sprintf("%s.goals[%d].field.path", at, i), "format_version 1 path %q: in format_version %d write path: '%s' (try it: kubectl get %s -o jsonpath='%s')",
				f.Path, FormatVersion, p, f.Object, p)
			f.Path = p
		}
	}
	commands := func(at string, s *Solution) {
		for i, cmd := range s.Commands {
			cat := fmt.Sprintf("%s.solution.commands[%d]", at, i)
			s.Commands[i], _ = ExpandRefs(cmd, func(r Ref) (string, error) {
				nr := Ref{Object: r.Object, Expr: jsonPathOf(r.Expr)}
				c.add(cat, "format_version 1 reference %s: in format_version %d write %s (try it: kubectl get %s -o jsonpath='%s')",
					r, FormatVersion, nr, r.Object, nr.Path())
				return nr.String(), nil
			})
		}
	}
	for i := range l.Steps {
		at := fmt.Sprintf("steps[%d]", i)
		goals(at, l.Steps[i].Goals)
		commands(at, &l.Steps[i].Solution)
	}
	for i := range l.Tasks {
		at := fmt.Sprintf("tasks[%d]", i)
		goals(at, l.Tasks[i].Goals)
		commands(at, &l.Tasks[i].Solution)
	}
}
