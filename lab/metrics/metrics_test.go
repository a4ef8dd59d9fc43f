package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestExpositionParsesBack(t *testing.T) {
	t.Parallel()
	var s Set
	s.Add(QueueLength, map[string]string{"queue": "orders"}, 42)
	s.Add(Latency, map[string]string{"quantile": "0.95"}, 0.125)
	s.Add(Requests, nil, 1234)
	text := s.String()
	if !strings.Contains(text, "# TYPE kubelab_queue_length gauge\n") || !strings.Contains(text, `kubelab_queue_length{queue="orders"} 42`) {
		t.Fatalf("exposition:\n%s", text)
	}
	got, err := Parse(strings.NewReader(text + "other_metric{a=\"x\\\"y\",b=\"2\"} 7 1700000000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got.Get(QueueLength, map[string]string{"queue": "orders"}); !ok || v != 42 {
		t.Errorf("queue length = %v, %v", v, ok)
	}
	if v, ok := got.Get(Latency, map[string]string{"quantile": "0.95"}); !ok || v != 0.125 {
		t.Errorf("p95 = %v, %v", v, ok)
	}
	if v, ok := got.Get("other_metric", map[string]string{"a": `x"y`}); !ok || v != 7 {
		t.Errorf("escaped label: %v %v", v, ok)
	}
	if _, ok := got.Get(QueueLength, map[string]string{"queue": "billing"}); ok {
		t.Error("a queue that is not there was found")
	}
}

func TestParseNamesTheBadLine(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader("# ok\nup 1\nbroken{x=\"1\" 3\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("err = %v", err)
	}
	_, err = Parse(strings.NewReader("up one\n"))
	if err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Fatalf("err = %v", err)
	}
}

func TestRatesBetweenSnapshots(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	a := Snapshot{At: t0, Produced: 100, Consumed: 50, Requests: 10}
	b := Snapshot{At: t0.Add(2 * time.Second), Produced: 140, Consumed: 60, Requests: 110}
	r := RatesBetween(a, b)
	if r.Produced != 20 || r.Consumed != 5 || r.Requests != 50 {
		t.Errorf("rates = %+v", r)
	}
	if r := RatesBetween(Snapshot{}, b); r != (Rates{}) {
		t.Errorf("rates from nothing = %+v", r)
	}
	// A counter that went back (pods replaced) is not a negative rate.
	if r := RatesBetween(b, Snapshot{At: t0.Add(3 * time.Second)}); r.Produced != 0 {
		t.Errorf("negative rate: %+v", r)
	}
}
