package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// BenchmarkTUIFirstFrame: from launching `kubelab` until its first frame is
// on the terminal, and until the lesson list is (tmux capture-pane, polled
// every 2 ms, which adds a few ms); and the TUI's resident memory at that
// point. warm: the cluster already up. cold: its process stopped (as after
// a reboot), so the TUI brings it up behind the lesson list; each run waits
// for it to be running before stopping it again for the next.
func BenchmarkTUIFirstFrame(b *testing.B) {
	c := newCLI(b)
	port, err := embedded.FreePort()
	if err != nil {
		b.Fatal(err)
	}
	if out, code := c.run("up", "--port", strconv.Itoa(port)); code != 0 {
		b.Fatal(out)
	}
	socket := filepath.Join(b.TempDir(), "tmux.sock")
	tm := func(args ...string) string {
		cmd := exec.Command("tmux", append([]string{"-S", socket}, args...)...)
		cmd.Env = c.env
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	defer tm("kill-server")
	// One idle session keeps the server up: a server whose last session ends
	// exits, and a new-session racing that exit fails.
	tm("new-session", "-d", "-s", "keep", "sleep", "3600")
	b.Run("warm", func(b *testing.B) { firstFrames(b, c, tm, false) })
	b.Run("cold", func(b *testing.B) { firstFrames(b, c, tm, true) })
}

func firstFrames(b *testing.B, c *labCLI, tm func(args ...string) string, cold bool) {
	var first, lat []time.Duration
	var rss []float64
	for i := 0; i < b.N; i++ {
		if cold {
			stopCluster(b, c)
		}
		name := fmt.Sprintf("b%v%d", cold, i)
		// The pane notes when it launches kubelab, so tmux's own start-up is not counted.
		stamp := filepath.Join(b.TempDir(), "launched")
		out := tm("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "-e", "HOME="+c.home, "-e", "KUBELAB_STATE_DIR="+filepath.Join(c.home, "state"),
			"-e", "KUBELAB_CLUSTER_BINARY="+os.Getenv("KUBELAB_CLUSTER_BINARY"), "-e", "KUBELAB_BACKEND=embedded", "-e", "NO_COLOR=1",
			"sh", "-c", `date +%s%N > "$0"; exec "$1"`, stamp, c.bin)
		if strings.TrimSpace(out) != "" {
			b.Fatalf("tmux new-session: %s", out)
		}
		var start time.Time
		for wait := time.Now(); start.IsZero(); {
			if data, err := os.ReadFile(stamp); err == nil && len(strings.TrimSpace(string(data))) > 0 {
				ns, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
				start = time.Unix(0, ns)
			}
			if time.Since(wait) > 10*time.Second {
				b.Fatalf("tmux did not start kubelab: %s", tm("list-sessions"))
			}
			time.Sleep(time.Millisecond)
		}
		seen := false
		for {
			screen := tm("capture-pane", "-p", "-t", name)
			if !seen && strings.Contains(screen, "kubelab") {
				seen = true
				first = append(first, time.Since(start))
			}
			if strings.Contains(screen, "Your first Pod") {
				break
			}
			if time.Since(start) > 20*time.Second {
				b.Fatalf("no lesson list after 20s:\n%s", tm("capture-pane", "-p", "-t", name))
			}
			time.Sleep(2 * time.Millisecond)
		}
		lat = append(lat, time.Since(start))
		pid := strings.TrimSpace(tm("display-message", "-p", "-t", name, "#{pane_pid}"))
		if status, err := os.ReadFile("/proc/" + pid + "/status"); err == nil {
			for _, line := range strings.Split(string(status), "\n") {
				if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
					rss = append(rss, kb/1024)
				}
			}
		}
		if cold { // the TUI brings the cluster up behind the list: let it finish
			for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(tm("capture-pane", "-p", "-t", name), "cluster running"); time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					b.Fatalf("the cluster did not come up behind the lesson list:\n%s", tm("capture-pane", "-p", "-t", name))
				}
			}
		}
		tm("kill-session", "-t", name)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Slice(first, func(i, j int) bool { return first[i] < first[j] })
	sort.Float64s(rss)
	b.ReportMetric(float64(first[len(first)/2].Milliseconds()), "median-first-frame-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "median-lesson-list-ms")
	if len(rss) > 0 {
		b.ReportMetric(rss[len(rss)/2], "median-RSS-MB")
	}
	b.ReportMetric(0, "ns/op")
}

// stopCluster stops the lab's embedded cluster process, leaving its data,
// and waits until status says it is stopped.
func stopCluster(b *testing.B, c *labCLI) {
	b.Helper()
	_ = syscall.Kill(c.clusterPid(), syscall.SIGTERM)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := c.state()
		if st == "stopped" {
			return
		}
		if time.Now().After(deadline) {
			out, _ := c.run("status")
			b.Fatalf("the cluster did not stop: %s\n%s", st, out)
		}
	}
}

// BenchmarkVerifyBuiltin: `kubelab verify` of the whole built-in curriculum,
// fresh embedded cluster included.
func BenchmarkVerifyBuiltin(b *testing.B) {
	c := newCLI(b)
	var took []time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if out, code := c.run("verify"); code != 0 {
			b.Fatalf("verify failed:\n%s", out)
		}
		took = append(took, time.Since(start))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(took[len(took)/2].Seconds(), "median-s")
	b.ReportMetric(0, "ns/op")
}
