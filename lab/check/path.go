package check

import (
	"fmt"
	"strconv"
	"strings"
)

// segment is one step of a field path: a map key or a list index.
type segment struct {
	key   string
	index int
	isIdx bool
}

// parsePath reads "spec.template.spec.containers[0].image" or
// "metadata.labels['app.kubernetes.io/name']".
func parsePath(p string) ([]segment, error) {
	var segs []segment
	rest := strings.TrimPrefix(p, ".")
	if rest == "" {
		return nil, fmt.Errorf("empty field path")
	}
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "['") || strings.HasPrefix(rest, `["`):
			q := rest[1]
			end := strings.IndexByte(rest[2:], q)
			if end < 0 || len(rest) < end+4 || rest[end+3] != ']' {
				return nil, fmt.Errorf("field path %q: unclosed [' ']", p)
			}
			segs = append(segs, segment{key: rest[2 : end+2]})
			rest = rest[end+4:]
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("field path %q: unclosed [", p)
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("field path %q: [%s] is not a list index", p, rest[1:end])
			}
			segs = append(segs, segment{index: n, isIdx: true})
			rest = rest[end+1:]
		default:
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, fmt.Errorf("field path %q has an empty part", p)
			}
			segs = append(segs, segment{key: rest[:end]})
			rest = rest[end:]
		}
		rest = strings.TrimPrefix(rest, ".")
	}
	return segs, nil
}

// lookup follows segs through a decoded object.
func lookup(obj any, segs []segment) (any, bool) {
	cur := obj
	for _, s := range segs {
		if s.isIdx {
			l, ok := cur.([]any)
			if !ok || s.index >= len(l) {
				return nil, false
			}
			cur = l[s.index]
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[s.key]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// fieldWords names well-known fields the way a newcomer reads them.
var fieldWords = map[string]string{
	"status.readyReplicas":                   "ready replicas",
	"status.availableReplicas":               "available replicas",
	"status.updatedReplicas":                 "updated replicas",
	"status.replicas":                        "replicas running",
	"spec.replicas":                          "desired replicas",
	"status.phase":                           "phase",
	"status.podIP":                           "pod IP",
	"spec.nodeName":                          "node",
	"spec.containers[0].image":               "image",
	"spec.template.spec.containers[0].image": "image",
	"spec.type":                              "type",
	"spec.selector":                          "selector",
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
	case map[string]any:
		var parts []string
		for k, val := range t {
			parts = append(parts, k+"="+describeValue(val))
		}
		return strings.Join(sortStrings(parts), ",")
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

// Field reads the field at path (as goals write it) of a decoded object, as text.
func Field(obj map[string]any, path string) (string, bool) {
	segs, err := parsePath(path)
	if err != nil {
		return "", false
	}
	v, ok := lookup(obj, segs)
	if !ok {
		return "", false
	}
	return describeValue(v), true
}
