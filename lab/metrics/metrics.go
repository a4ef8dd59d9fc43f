// Package metrics is what the lesson app reports on /metrics, in the
// Prometheus text format: queue length and age for workers, request counts
// and latency for servers. The embedded cluster's node agent simulates the
// same figures. lab/metrics/scrape reads them for a namespace (with the
// Prometheus project's parser) and the TUI draws them (the on-duty panel).
// This package uses the standard library only: the lesson app links it.
package metrics

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The metric names the lesson app exposes.
const (
	QueueLength   = "kubelab_queue_length"                  // gauge, {queue}
	OldestTaskAge = "kubelab_queue_oldest_task_age_seconds" // gauge, {queue}
	TasksProduced = "kubelab_queue_tasks_produced_total"    // counter, {queue}
	TasksConsumed = "kubelab_queue_tasks_consumed_total"    // counter, {queue}
	WorkerTasks   = "kubelab_worker_tasks_total"            // counter: tasks this pod finished
	Requests      = "kubelab_http_requests_total"           // counter: requests this pod answered
	Latency       = "kubelab_http_request_duration_seconds" // summary quantiles 0.5 and 0.95
)

var help = map[string]string{
	QueueLength:   "gauge Tasks waiting in the queue.",
	OldestTaskAge: "gauge How long the oldest waiting task has waited.",
	TasksProduced: "counter Tasks put on the queue.",
	TasksConsumed: "counter Tasks taken off the queue and finished.",
	WorkerTasks:   "counter Tasks this pod finished.",
	Requests:      "counter HTTP requests this pod answered.",
	Latency:       "summary Time to answer an HTTP request.",
}

// Metric is one sample line.
type Metric struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Set is a list of samples.
type Set []Metric

// Add appends a sample.
func (s *Set) Add(name string, labels map[string]string, v float64) {
	*s = append(*s, Metric{Name: name, Labels: labels, Value: v})
}

// String is the Prometheus text exposition of s (format 0.0.4): each
// metric's samples together under its HELP and TYPE, in the order the
// metrics were first added. It is written with the standard library only, so
// that the lesson app stays small; lab/metrics/scrape reads it back with the
// Prometheus parser (expfmt), and tests hold one against the other.
func (s Set) String() string {
	var names []string
	byName := map[string][]Metric{}
	for _, m := range s {
		if _, ok := byName[m.Name]; !ok {
			names = append(names, m.Name)
		}
		byName[m.Name] = append(byName[m.Name], m)
	}
	var b strings.Builder
	for _, name := range names {
		if h, ok := help[name]; ok {
			typ, text, _ := strings.Cut(h, " ")
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, helpEscaper.Replace(text), name, typ)
		}
		for _, m := range byName[name] {
			b.WriteString(m.Name)
			if len(m.Labels) > 0 {
				var parts []string
				for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
					parts = append(parts, k+`="`+labelEscaper.Replace(m.Labels[k])+`"`)
				}
				b.WriteString("{" + strings.Join(parts, ",") + "}")
			}
			b.WriteString(" " + strconv.FormatFloat(m.Value, 'g', -1, 64) + "\n")
		}
	}
	return b.String()
}

// The text format's escapes: a label value escapes backslash, double quote
// and line feed; HELP text, backslash and line feed. Nothing else is escaped.
var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

// Get returns the first sample named name whose labels include want.
func (s Set) Get(name string, want map[string]string) (float64, bool) {
	for _, m := range s {
		if m.Name != name {
			continue
		}
		match := true
		for k, v := range want {
			if m.Labels[k] != v {
				match = false
			}
		}
		if match {
			return m.Value, true
		}
	}
	return 0, false
}
