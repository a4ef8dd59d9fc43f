package check

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/client-go/util/jsonpath"
)

// Path is a field path as lessons write it: one kubectl JSONPath expression
// in braces, exactly what `kubectl get -o jsonpath='...'` takes:
// {.status.readyReplicas}, {.spec.containers[?(@.name=="app")].image},
// {.metadata.labels.app\.kubernetes\.io/name}.
type Path struct{ text string }

// ParsePath checks a path with client-go's JSONPath parser (kubectl's own)
// and that it is one expression: no text around it (kubectl would print that
// text as it is), no range/end (those print lists; a goal looks at one object).
func ParsePath(text string) (Path, error) {
	p, err := jsonpath.Parse("path", text)
	if err != nil {
		return Path{}, fmt.Errorf("path %q is not kubectl JSONPath: %v", text, err)
	}
	nodes := p.Root.Nodes
	if len(nodes) == 0 {
		return Path{}, fmt.Errorf("empty path; write one as kubectl does, such as {.status.phase}")
	}
	list, ok := nodes[0].(*jsonpath.ListNode)
	if len(nodes) != 1 || !ok {
		if t, isText := nodes[0].(*jsonpath.TextNode); len(nodes) == 1 && isText {
			return Path{}, fmt.Errorf("path %q has no braces: kubectl JSONPath reads {.%s}", text, strings.TrimPrefix(t.Text, "."))
		}
		return Path{}, fmt.Errorf("path %q must be one {...} expression with nothing around it, such as {.status.phase}", text)
	}
	for _, n := range list.Nodes {
		if id, isID := n.(*jsonpath.IdentifierNode); isID {
			if id.Name == "range" || id.Name == "end" {
				return Path{}, fmt.Errorf("path %q: range/end print lists; a path reads one object", text)
			}
			return Path{}, fmt.Errorf("path %q: fields start with a dot, as in {.%s}", text, strings.TrimPrefix(strings.TrimSuffix(text, "}"), "{"))
		}
	}
	return Path{text: text}, nil
}

// String is the path as written.
func (p Path) String() string { return p.text }

// Eval reads the path on obj as `kubectl get -o jsonpath` does and returns
// the values it matches and the text kubectl prints for them: scalars as
// they are, lists and maps as JSON, several values separated by spaces.
// ok is false when the path matches nothing (a missing field, an index past
// the end of a list, a filter nothing passes): kubectl prints nothing then,
// and a goal reads the field as not set.
func (p Path) Eval(obj map[string]any) (values []any, text string, ok bool) {
	// A JSONPath keeps state while it runs: parse one per evaluation.
	j := jsonpath.New("path").AllowMissingKeys(true)
	if p.text == "" || j.Parse(p.text) != nil {
		return nil, "", false
	}
	results, err := j.FindResults(obj)
	if err != nil || len(results) != 1 || len(results[0]) == 0 {
		return nil, "", false
	}
	var b bytes.Buffer
	if err := j.PrintResults(&b, results[0]); err != nil {
		return nil, "", false
	}
	for _, r := range results[0] {
		values = append(values, r.Interface())
	}
	return values, b.String(), true
}

// Field reads the field at path (a kubectl JSONPath such as {.spec.nodeName})
// of a decoded object, as kubectl prints it; false when it is not set.
func Field(obj map[string]any, path string) (string, bool) {
	p, err := ParsePath(path)
	if err != nil {
		return "", false
	}
	_, text, ok := p.Eval(obj)
	return text, ok
}

// fieldWords names well-known fields the way a newcomer reads them.
var fieldWords = map[string]string{
	"{.status.readyReplicas}":                   "ready replicas",
	"{.status.availableReplicas}":               "available replicas",
	"{.status.updatedReplicas}":                 "updated replicas",
	"{.status.replicas}":                        "replicas running",
	"{.spec.replicas}":                          "desired replicas",
	"{.status.phase}":                           "phase",
	"{.status.podIP}":                           "pod IP",
	"{.spec.nodeName}":                          "node",
	"{.spec.containers[0].image}":               "image",
	"{.spec.template.spec.containers[0].image}": "image",
	"{.spec.type}":                              "type",
	"{.spec.selector}":                          "selector",
}

// containerImage is the image of a container picked by name, as in
// {.spec.template.spec.containers[?(@.name=="app")].image}.
var containerImage = regexp.MustCompile(`^\{\.(?:spec\.template\.)?spec\.containers\[\?\(@\.name\s*==\s*["']([^"']+)["']\)\]\.image\}$`)

// words says what path reads, and whether it is a well-known field.
func words(path string) (string, bool) {
	if w, ok := fieldWords[path]; ok {
		return w, true
	}
	if m := containerImage.FindStringSubmatch(path); m != nil {
		return "container " + m[1] + "'s image", true
	}
	return strings.TrimSuffix(strings.TrimPrefix(path, "{"), "}"), false
}

func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "<none>"
	case string:
		return t
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(t, 10)
	default:
		return fmt.Sprint(t)
	}
}

func asNumber(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case int:
		return float64(t), true
	case string:
		f, err := strconv.ParseFloat(t, 64)
		return f, err == nil
	}
	return 0, false
}
