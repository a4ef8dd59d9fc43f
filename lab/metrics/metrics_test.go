package metrics

import (
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The exposition, written by hand for the lesson app's sake, is what the
// Prometheus text parser reads: types, every label value (escapes
// included), values, one group per metric even when samples interleave.
func TestExpositionIsWhatPrometheusReads(t *testing.T) {
	t.Parallel()
	odd := "tab\there \"quoted\" back\\slash\nnew line, café ✓"
	var s Set
	s.Add(QueueLength, map[string]string{"queue": "orders"}, 42)
	s.Add(TasksProduced, map[string]string{"queue": "orders"}, 1e6)
	s.Add(QueueLength, map[string]string{"queue": odd}, 7)
	s.Add(Latency, map[string]string{"quantile": "0.5"}, 0.0417)
	s.Add(Latency, map[string]string{"quantile": "0.95"}, 0.125)
	s.Add(Requests, nil, 1234)
	s.Add("kubelab_other", map[string]string{"b": "2", "a": "1"}, -3.5)
	text := s.String()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("expfmt: %v in\n%s", err, text)
	}
	types := map[string]dto.MetricType{QueueLength: dto.MetricType_GAUGE, TasksProduced: dto.MetricType_COUNTER,
		Latency: dto.MetricType_SUMMARY, Requests: dto.MetricType_COUNTER, "kubelab_other": dto.MetricType_UNTYPED}
	if len(fams) != len(types) {
		t.Errorf("%d families, want %d:\n%s", len(fams), len(types), text)
	}
	for name, typ := range types {
		if f := fams[name]; f == nil || f.GetType() != typ {
			t.Errorf("%s: family %v, want type %v", name, f, typ)
		}
	}
	queues := map[string]float64{}
	for _, m := range fams[QueueLength].GetMetric() {
		queues[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
	}
	if queues["orders"] != 42 || queues[odd] != 7 {
		t.Errorf("queue lengths read back as %v", queues)
	}
	if v := fams[TasksProduced].GetMetric()[0].GetCounter().GetValue(); v != 1e6 {
		t.Errorf("produced = %v", v)
	}
	q := fams[Latency].GetMetric()[0].GetSummary().GetQuantile()
	if len(fams[Latency].GetMetric()) != 1 || len(q) != 2 || q[0].GetValue() != 0.0417 || q[1].GetQuantile() != 0.95 || q[1].GetValue() != 0.125 {
		t.Errorf("latency summary = %v", fams[Latency])
	}
	if m := fams["kubelab_other"].GetMetric()[0]; m.GetUntyped().GetValue() != -3.5 || len(m.GetLabel()) != 2 {
		t.Errorf("untyped = %v", m)
	}
}

func TestGetMatchesLabels(t *testing.T) {
	t.Parallel()
	var s Set
	s.Add(QueueLength, map[string]string{"queue": "orders"}, 42)
	s.Add(QueueLength, map[string]string{"queue": "billing", "shard": "1"}, 3)
	if v, ok := s.Get(QueueLength, map[string]string{"queue": "billing"}); !ok || v != 3 {
		t.Errorf("billing = %v, %v", v, ok)
	}
	if _, ok := s.Get(QueueLength, map[string]string{"queue": "refunds"}); ok {
		t.Error("a queue that is not there was found")
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
