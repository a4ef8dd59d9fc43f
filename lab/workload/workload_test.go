package workload

import (
	"strings"
	"testing"
	"time"
)

func TestKnownImage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		image string
		want  bool
	}{
		{"nginx", true},
		{"nginx:latest", true},
		{"nginx:1.27", true},
		{"nginx:1.27-alpine", true},
		{"nginx:alpine", true},
		{"docker.io/library/nginx:1.25.3", true},
		{"redis:7", true},
		{"busybox:1.36", true},
		{"registry.k8s.io/pause:3.10", true},
		{"kubelab/app:v1", true},
		{"kubelab/app:broken", true},
		{"nginx:lates", false},
		{"nginx:", false},
		{"ngnix", false},
		{"doesnotexist", false},
		{"kubelab/app:v9", false},
		{"kubelab/app", false},
		{"evil.example.com/nginx:1.0", false},
	}
	for _, c := range cases {
		if got := KnownImage(c.image); got != c.want {
			t.Errorf("KnownImage(%q) = %v, want %v", c.image, got, c.want)
		}
	}
}

func TestCrashingImage(t *testing.T) {
	t.Parallel()
	if !CrashingImage("kubelab/app:broken") || !CrashingImage("docker.io/kubelab/app:broken") {
		t.Error("kubelab/app:broken must crash")
	}
	if CrashingImage("kubelab/app:v1") {
		t.Error("kubelab/app:v1 must not crash")
	}
}

func TestRegexpsEmbedInStringLiterals(t *testing.T) {
	t.Parallel()
	for _, re := range []string{KnownImageRegexp, CrashImageRegexp} {
		if strings.ContainsAny(re, "\\\"'") {
			t.Errorf("regexp %q holds a backslash or quote", re)
		}
	}
}

// A server at its capacity spends CapacityCPU: 100m at the default 50/s,
// whatever its capacity.
func TestRequestCPUAddsUpToCapacityCPU(t *testing.T) {
	t.Parallel()
	for _, capacity := range []float64{50, 10, 200} {
		perSecond := time.Duration(capacity) * RequestCPU(capacity)
		if perSecond != CapacityCPU*time.Millisecond {
			t.Errorf("capacity %v: %v of CPU a second, want %dms", capacity, perSecond, CapacityCPU)
		}
	}
	if RequestCPU(0) != RequestCPU(DefaultCapacity) || RequestCPU(DefaultCapacity) != 2*time.Millisecond {
		t.Errorf("RequestCPU(0) = %v, RequestCPU(50) = %v", RequestCPU(0), RequestCPU(DefaultCapacity))
	}
}
