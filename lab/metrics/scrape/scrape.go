// Package scrape reads the lesson app's metrics (lab/metrics) of every pod
// of a namespace through the cluster: the pods' own /metrics on kind, the
// node agent's simulation on the embedded cluster.
package scrape

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/kubectl/pkg/util/podutils"

	"github.com/kubelab/kubelab/lab/metrics"
	"github.com/kubelab/kubelab/lab/workload"
)

// Collector reads the lesson app's metrics of every running pod in a
// namespace through the API server.
type Collector struct {
	Client kubernetes.Interface
	// Simulated: read from the embedded cluster's node agent, which serves
	// the simulated app's /metrics on loopback at the node's kubelet port
	// (the API server does not proxy to loopback addresses), instead of the
	// pods' own /metrics on their mode's port (lab/workload) through the
	// API server.
	Simulated bool
	// Config is the cluster's client configuration; the node agent accepts
	// the same client certificate as the API server (Simulated only).
	Config *rest.Config

	http *http.Client
}

// Collect takes one snapshot of namespace ns.
func (c *Collector) Collect(ctx context.Context, ns string) (metrics.Snapshot, error) {
	snap := metrics.Snapshot{At: time.Now()}
	pods, err := c.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return snap, err
	}
	queues := map[string]bool{}
	ports := map[string]int32{}
	var p50s, p95s []float64
	var firstErr error
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Status.Phase != corev1.PodRunning || p.DeletionTimestamp != nil || !isLessonApp(p) {
			continue
		}
		set, err := c.fetch(ctx, p, ports)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		mode := mode(p)
		for _, m := range set {
			switch m.Name {
			case metrics.QueueLength, metrics.OldestTaskAge, metrics.TasksProduced, metrics.TasksConsumed:
				// Every producer and worker of a queue reports the queue:
				// count each queue once.
				q := m.Labels["queue"]
				if queues[q+"/"+m.Name] {
					continue
				}
				queues[q+"/"+m.Name] = true
				snap.HasQueue = true
				switch m.Name {
				case metrics.QueueLength:
					snap.QueueLength += m.Value
				case metrics.OldestTaskAge:
					snap.OldestTaskAge = math.Max(snap.OldestTaskAge, m.Value)
				case metrics.TasksProduced:
					snap.Produced += m.Value
				case metrics.TasksConsumed:
					snap.Consumed += m.Value
				}
			case metrics.Requests:
				// Servers without traffic (other apps of the lesson) stay out of the panel.
				if m.Value > 0 {
					snap.HasServer = true
					snap.Servers++
					snap.Requests += m.Value
				}
			case metrics.Latency:
				if m.Value <= 0 {
					continue
				}
				switch m.Labels["quantile"] {
				case "0.5":
					p50s = append(p50s, m.Value)
				case "0.95":
					p95s = append(p95s, m.Value)
				}
			}
		}
		if mode == "worker" && podutils.IsPodReady(p) {
			snap.Workers++
		}
	}
	snap.LatencyP50, snap.LatencyP95 = mean(p50s), mean(p95s)
	if !snap.HasQueue && !snap.HasServer && firstErr != nil {
		return snap, firstErr
	}
	return snap, nil
}

func (c *Collector) fetch(ctx context.Context, p *corev1.Pod, ports map[string]int32) (metrics.Set, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var raw []byte
	var err error
	if c.Simulated {
		raw, err = c.fetchSimulated(ctx, p, ports)
	} else {
		raw, err = c.Client.CoreV1().RESTClient().Get().
			Namespace(p.Namespace).Resource("pods").Name(p.Name + ":" + strconv.Itoa(workload.Port(mode(p)))).SubResource("proxy").Suffix("metrics").DoRaw(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("metrics of pod %s: %w", p.Name, err)
	}
	return Parse(bytes.NewReader(raw))
}

func isLessonApp(p *corev1.Pod) bool {
	for _, c := range p.Spec.Containers {
		if workload.IsAppImage(c.Image) {
			return true
		}
	}
	return false
}

func mode(p *corev1.Pod) string {
	for _, e := range p.Spec.Containers[0].Env {
		if e.Name == workload.EnvMode {
			return e.Value
		}
	}
	return workload.DefaultMode
}

func mean(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	var s float64
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// fetchSimulated reads pod p's figures from its node's agent; ports caches
// the nodes' agent ports for one Collect.
func (c *Collector) fetchSimulated(ctx context.Context, p *corev1.Pod, ports map[string]int32) ([]byte, error) {
	if p.Spec.NodeName == "" {
		return nil, fmt.Errorf("pod %s has no node yet", p.Name)
	}
	if c.Config == nil {
		return nil, fmt.Errorf("no client configuration for the node agent")
	}
	port, ok := ports[p.Spec.NodeName]
	if !ok {
		node, err := c.Client.CoreV1().Nodes().Get(ctx, p.Spec.NodeName, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		port = node.Status.DaemonEndpoints.KubeletEndpoint.Port
		ports[p.Spec.NodeName] = port
	}
	var err error
	if c.http == nil {
		if c.http, err = rest.HTTPClientFor(c.Config); err != nil {
			return nil, err
		}
	}
	url := fmt.Sprintf("https://127.0.0.1:%d/kubelab/metrics/%s/%s", port, p.Namespace, p.Name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return body, err
}
