package scrape

import (
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/metrics"
)

func TestParseReadsTheExpositionBack(t *testing.T) {
	t.Parallel()
	var s metrics.Set
	s.Add(metrics.QueueLength, map[string]string{"queue": "orders"}, 42)
	s.Add(metrics.QueueLength, map[string]string{"queue": `x"y`}, 5)
	s.Add(metrics.Latency, map[string]string{"quantile": "0.95"}, 0.125)
	s.Add(metrics.Requests, nil, 1234)
	// Another program's metrics, with a timestamp and a HELP of its own.
	text := s.String() + "# HELP other_metric Something else.\n# TYPE other_metric gauge\nother_metric{a=\"x\\\\y\",b=\"2\"} 7 1700000000\n"
	got, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{metrics.QueueLength, map[string]string{"queue": "orders"}, 42},
		{metrics.QueueLength, map[string]string{"queue": `x"y`}, 5},
		{metrics.Latency, map[string]string{"quantile": "0.95"}, 0.125},
		{metrics.Requests, nil, 1234},
		{"other_metric", map[string]string{"a": `x\y`, "b": "2"}, 7},
	} {
		if v, ok := got.Get(c.name, c.labels); !ok || v != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	if _, ok := got.Get(metrics.QueueLength, map[string]string{"queue": "billing"}); ok {
		t.Error("a queue that is not there was found")
	}
	if v, ok := got.Get(metrics.Requests, nil); !ok || v != 1234 {
		t.Errorf("requests = %v", v)
	}
}

func TestParseNamesTheBadLine(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"# ok\nup 1\nbroken{x=\"1\" 3\n": "line 3",
		"up one\n":                       "line 1",
		"up{x=\"\\t\"} 1\n":              "line 1",
	} {
		if _, err := Parse(strings.NewReader(text)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error naming %s", text, err, want)
		}
	}
}
