package container_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
)

// BenchmarkShellStartToExit is a container's life for sh -c 'echo hi;
// sleep 0': its file tree and process table made, the shell started, its
// two commands run, its exit.
func BenchmarkShellStartToExit(b *testing.B) {
	for b.Loop() {
		box := sandboxtest.NewBox(b, nil)
		status, err := box.Run(context.Background(), []string{"sh", "-c", "echo hi; sleep 0"})
		if err != nil || status != 0 || box.Stdout.String() != "hi\n" {
			b.Fatalf("status %d %v %q", status, err, box.Stdout)
		}
	}
}

// BenchmarkIdleContainers holds 100 containers running sleep 3600 and
// reports the heap and the goroutines they hold, per container.
func BenchmarkIdleContainers(b *testing.B) {
	const n = 100
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		goroutines := runtime.NumGoroutine()
		ctx, cancel := context.WithCancel(context.Background())
		boxes := make([]*sandboxtest.Box, n)
		done := make(chan int, n)
		for k := range boxes {
			boxes[k] = sandboxtest.NewBox(b, nil)
			go func(box *sandboxtest.Box) {
				s, _ := box.Run(ctx, []string{"sh", "-c", "echo started; sleep 3600"})
				done <- s
			}(boxes[k])
		}
		deadline := time.Now().Add(time.Minute)
		for _, box := range boxes {
			for len(box.Processes().List()) < 2 {
				if time.Now().After(deadline) {
					b.Fatal("the containers did not all start their sleep within a minute")
				}
				time.Sleep(time.Millisecond)
			}
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/n, "heap-B/container")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/n, "goroutines/container")
		cancel()
		for range boxes {
			if s := <-done; s != 143 {
				b.Fatalf("a container ended with %d, want 143", s)
			}
		}
	}
}
