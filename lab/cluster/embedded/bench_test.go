package embedded_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// reportMedian adds the median of samples as a metric: the machines are
// noisy, so medians are what the notes quote.
func reportMedian(b *testing.B, samples []time.Duration, unit string) {
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	med := samples[len(samples)/2]
	switch unit {
	case "s":
		b.ReportMetric(med.Seconds(), "median-s")
	default:
		b.ReportMetric(float64(med.Milliseconds()), "median-ms")
	}
	b.ReportMetric(0, "ns/op") // per-op wall time includes untimed set-up noise; the median is the figure
}

func benchProvider(b *testing.B) *embedded.Provider {
	b.Helper()
	bin, err := clustertest.ClusterBinary()
	if err != nil {
		b.Fatal(err)
	}
	p, err := embedded.New(embedded.WithStateDir(filepath.Join(b.TempDir(), "embedded")), embedded.WithBinary(bin), embedded.WithPort(-1))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkUpToNodesReady: `kubelab up` on a fresh state directory until all
// three nodes are Ready (and usable), then the same on existing data.
func BenchmarkUpToNodesReady(b *testing.B) {
	for _, mode := range []string{"fresh", "restart"} {
		b.Run(mode, func(b *testing.B) {
			var samples []time.Duration
			for i := 0; i < b.N; i++ {
				p := benchProvider(b)
				if mode == "restart" {
					if _, err := p.Up(context.Background(), nil); err != nil {
						b.Fatal(err)
					}
					stopProcess(b, p)
				}
				start := time.Now()
				if _, err := p.Up(context.Background(), nil); err != nil {
					b.Fatal(err)
				}
				samples = append(samples, time.Since(start))
				_ = p.Down(context.Background())
			}
			reportMedian(b, samples, "s")
		})
	}
}

func stopProcess(b *testing.B, p *embedded.Provider) {
	data, err := os.ReadFile(p.Layout().PidFile())
	if err != nil {
		b.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	proc, _ := os.FindProcess(pid)
	_ = proc.Signal(os.Interrupt)
	for embedded.Held(p.Layout().LockFile()) {
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkIdleRSS: resident memory of the cluster process, idle, 10 s after up.
func BenchmarkIdleRSS(b *testing.B) {
	var mbs []float64
	for i := 0; i < b.N; i++ {
		p := benchProvider(b)
		if _, err := p.Up(context.Background(), nil); err != nil {
			b.Fatal(err)
		}
		time.Sleep(10 * time.Second)
		data, err := os.ReadFile(p.Layout().PidFile())
		if err != nil {
			b.Fatal(err)
		}
		status, err := os.ReadFile("/proc/" + strings.TrimSpace(string(data)) + "/status")
		if err != nil {
			b.Fatal(err)
		}
		mbs = append(mbs, vmRSSMB(string(status)))
		_ = p.Down(context.Background())
	}
	sort.Float64s(mbs)
	b.ReportMetric(mbs[len(mbs)/2], "median-RSS-MB")
	b.ReportMetric(0, "ns/op")
}

func vmRSSMB(status string) float64 {
	for _, line := range strings.Split(status, "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkDeploymentReady: a 3-replica Deployment created until all its pods are Ready.
func BenchmarkDeploymentReady(b *testing.B) {
	env := clustertest.Cluster(b)
	cs := env.Client
	ctx := context.Background()
	var samples []time.Duration
	for i := 0; i < b.N; i++ {
		ns := fmt.Sprintf("bench-deploy-%d-%d", b.N, i)
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		clustertest.Eventually(b, 30*time.Second, "default service account", func(ctx context.Context) (bool, string) {
			_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, fmt.Sprint(err)
		})
		start := time.Now()
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, deployment("web", "nginx:1.27", 3), metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		for {
			pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
			if err != nil {
				b.Fatal(err)
			}
			ready := 0
			for _, p := range pods.Items {
				if podReady(&p) {
					ready++
				}
			}
			if ready == 3 {
				break
			}
			if time.Since(start) > 30*time.Second {
				b.Fatalf("only %d pods Ready after 30s", ready)
			}
			time.Sleep(10 * time.Millisecond)
		}
		samples = append(samples, time.Since(start))
		_ = cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
	}
	reportMedian(b, samples, "ms")
}
