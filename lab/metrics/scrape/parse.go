package scrape

import (
	"io"
	"maps"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kubelab/kubelab/lab/metrics"
)

// Parse reads the Prometheus text format with the Prometheus project's own
// parser (expfmt) and returns its samples, metric families in name order.
// A summary comes back as its quantile samples (label quantile) and its _sum
// and _count; timestamps are dropped. Errors name the line.
func Parse(r io.Reader) (metrics.Set, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return nil, err
	}
	fams := make([]*dto.MetricFamily, 0, len(byName))
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		fams = append(fams, byName[name])
	}
	samples, err := expfmt.ExtractSamples(&expfmt.DecodeOptions{}, fams...)
	if err != nil {
		return nil, err
	}
	set := make(metrics.Set, 0, len(samples))
	for _, s := range samples {
		var labels map[string]string
		for k, v := range s.Metric {
			if k == model.MetricNameLabel {
				continue
			}
			if labels == nil {
				labels = map[string]string{}
			}
			labels[string(k)] = string(v)
		}
		set = append(set, metrics.Metric{Name: string(s.Metric[model.MetricNameLabel]), Labels: labels, Value: float64(s.Value)})
	}
	return set, nil
}
