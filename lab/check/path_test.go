package check

import (
	"strings"
	"testing"
)

func TestParsePathTakesKubectlJSONPathAndSaysHowToFixTheRest(t *testing.T) {
	t.Parallel()
	for _, good := range []string{
		"{.status.phase}",
		"{.spec.containers[0].image}",
		`{.spec.containers[?(@.name=="app")].image}`,
		"{.spec.containers[?(@.name == 'app')].image}",
		"{.spec.containers[*].name}",
		"{.spec.containers[-1:].name}",
		`{.metadata.labels.app\.kubernetes\.io/name}`,
		"{.data['COLOR']}",
		"{..image}",
	} {
		if _, err := ParsePath(good); err != nil {
			t.Errorf("ParsePath(%q): %v", good, err)
		}
	}
	for bad, want := range map[string]string{
		"status.phase":               "kubectl JSONPath reads {.status.phase}",
		".status.phase":              "kubectl JSONPath reads {.status.phase}",
		"{spec.nodeName}":            "fields start with a dot, as in {.spec.nodeName}",
		"{.status.phase} is Running": "one {...} expression",
		"{.a}{.b}":                   "one {...} expression",
		"{range .items[*]}":          "range/end print lists",
		"{.spec.containers[0}":       "is not kubectl JSONPath",
		"{.status.phase":             "is not kubectl JSONPath",
		"":                           "empty path",
	} {
		_, err := ParsePath(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePath(%q) = %v, want an error containing %q", bad, err, want)
		}
	}
}

func TestEvalReadsAsKubectlPrints(t *testing.T) {
	t.Parallel()
	pod := map[string]any{
		"metadata": map[string]any{"name": "web", "labels": map[string]any{"app": "web", "app.kubernetes.io/name": "shop"}},
		"spec": map[string]any{
			"replicas": int64(3),
			"containers": []any{
				map[string]any{"name": "log", "image": "kubelab/app:v1"},
				map[string]any{"name": "app", "image": "kubelab/app:v2"},
			},
		},
		"status": map[string]any{"containerStatuses": []any{}},
	}
	cases := []struct {
		path, text string
		set        bool
	}{
		{"{.metadata.name}", "web", true},
		{"{.spec.replicas}", "3", true},
		{`{.spec.containers[?(@.name=="app")].image}`, "kubelab/app:v2", true},
		{"{.spec.containers[*].name}", "log app", true},
		{"{.metadata.labels}", `{"app":"web","app.kubernetes.io/name":"shop"}`, true},
		{`{.metadata.labels.app\.kubernetes\.io/name}`, "shop", true},
		{"{.spec.nodeName}", "", false},
		{`{.spec.containers[?(@.name=="db")].image}`, "", false},
		{"{.spec.containers[5].image}", "", false},
		{"{.status.containerStatuses[0].restartCount}", "", false},
	}
	for _, c := range cases {
		p, err := ParsePath(c.path)
		if err != nil {
			t.Fatal(err)
		}
		_, text, ok := p.Eval(pod)
		if text != c.text || ok != c.set {
			t.Errorf("%s = %q (set %v), want %q (set %v)", c.path, text, ok, c.text, c.set)
		}
	}
}

func TestWordsNameWellKnownFields(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"{.status.readyReplicas}":                                  "ready replicas",
		`{.spec.template.spec.containers[?(@.name=="app")].image}`: "container app's image",
		"{.spec.containers[?(@.name == 'web')].image}":             "container web's image",
		"{.spec.strategy.type}":                                    ".spec.strategy.type",
	} {
		if got, _ := words(path); got != want {
			t.Errorf("words(%s) = %q, want %q", path, got, want)
		}
	}
}
