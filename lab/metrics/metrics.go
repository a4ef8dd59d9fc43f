// Package metrics is what the lesson app reports on /metrics, in the
// Prometheus text format: queue length and age for workers, request counts
// and latency for servers. The embedded cluster's node agent simulates the
// same figures. lab/metrics/scrape reads them for a namespace and the TUI
// draws them (the on-duty panel).
package metrics

import (
	"bufio"
	"fmt"
	"io"
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

// String is the Prometheus text exposition of s.
func (s Set) String() string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, m := range s {
		if !seen[m.Name] {
			seen[m.Name] = true
			if h, ok := help[m.Name]; ok {
				typ, text, _ := strings.Cut(h, " ")
				fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", m.Name, text, m.Name, typ)
			}
		}
		b.WriteString(m.Name)
		if len(m.Labels) > 0 {
			var parts []string
			for _, k := range slices.Sorted(maps.Keys(m.Labels)) {
				parts = append(parts, fmt.Sprintf("%s=%q", k, m.Labels[k]))
			}
			b.WriteString("{" + strings.Join(parts, ",") + "}")
		}
		b.WriteString(" " + strconv.FormatFloat(m.Value, 'g', -1, 64) + "\n")
	}
	return b.String()
}

// Parse reads the Prometheus text format (comments, names, labels, values;
// timestamps are ignored).
func Parse(r io.Reader) (Set, error) {
	var out Set
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		m := Metric{}
		rest := t
		if i := strings.IndexAny(t, "{ "); i > 0 && t[i] == '{' {
			m.Name = t[:i]
			end := strings.Index(t, "}")
			if end < i {
				return nil, fmt.Errorf("line %d: unclosed labels: %q", line, t)
			}
			labels, err := parseLabels(t[i+1 : end])
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			m.Labels = labels
			rest = strings.TrimSpace(t[end+1:])
		} else {
			name, r, ok := strings.Cut(t, " ")
			if !ok {
				return nil, fmt.Errorf("line %d: no value: %q", line, t)
			}
			m.Name, rest = name, strings.TrimSpace(r)
		}
		val, _, _ := strings.Cut(rest, " ")
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: value %q is not a number", line, val)
		}
		m.Value = v
		out = append(out, m)
	}
	return out, sc.Err()
}

func parseLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; {
		k, rest, ok := strings.Cut(s, "=")
		if !ok || !strings.HasPrefix(rest, `"`) {
			return nil, fmt.Errorf("bad label in %q", s)
		}
		// find the closing quote, honouring escapes
		end := 1
		for end < len(rest) && rest[end] != '"' {
			if rest[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(rest) {
			return nil, fmt.Errorf("unclosed label value in %q", s)
		}
		v, err := strconv.Unquote(rest[:end+1])
		if err != nil {
			return nil, fmt.Errorf("bad label value %s", rest[:end+1])
		}
		out[strings.TrimSpace(k)] = v
		s = strings.TrimPrefix(strings.TrimSpace(rest[end+1:]), ",")
		s = strings.TrimSpace(s)
	}
	return out, nil
}

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
