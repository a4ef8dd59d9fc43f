package kubectlver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/version"

	"github.com/kubelab/kubelab/lab/kubectlver"
	"github.com/kubelab/kubelab/lab/kubectlver/kubectlvertest"
)

var lab = version.MustParseGeneric("v1.37.2")

// Each installed kubectl a learner might have, and the one they get.
func TestFindAndChoose(t *testing.T) {
	// The fakes are written before any test runs them: a script still open
	// for writing in a forked child cannot be run ("text file busy").
	fakes := map[string]string{
		"v1.32":          kubectlvertest.Kubectl(t, "", "v1.32.4-dispatcher"),
		"v1.35":          kubectlvertest.Kubectl(t, "", "v1.35.0"),
		"v1.36":          kubectlvertest.Kubectl(t, "", "v1.36.3"),
		"v1.37":          kubectlvertest.Kubectl(t, "", "v1.37.2"),
		"v1.38":          kubectlvertest.Kubectl(t, "", "v1.38.0-alpha.1"),
		"v2.37":          kubectlvertest.Kubectl(t, "", "v2.37.0"),
		"major minor":    kubectlvertest.Script(t, "", `echo '{"clientVersion":{"major":"1","minor":"36+","gitVersion":"custom"}}'`),
		"garbage":        kubectlvertest.Script(t, "", `echo 'Client Version: v1.37.2'`),
		"fails":          kubectlvertest.Script(t, "", `echo 'unknown flag: --client' >&2; exit 1`),
		"hangs":          kubectlvertest.Script(t, "", `/bin/sleep 30; echo late`),
		"not executable": t.TempDir(),
	}
	for _, tc := range []struct {
		name   string
		path   string
		found  bool
		want   string // the version found; "" for unknown
		useOwn bool
		why    []string
	}{
		{name: "none on PATH", path: t.TempDir(), useOwn: true, why: []string{"kubelab's own (v1.37.2): no kubectl is installed."}},
		{name: "v1.32", found: true, want: "1.32.4", useOwn: true, why: []string{"kubelab's own (v1.37.2)", "is v1.32.4, more than one minor version from the lab's Kubernetes v1.37.2", "to use it anyway, run /"}},
		{name: "v1.35", found: true, want: "1.35.0", useOwn: true},
		{name: "v1.36", found: true, want: "1.36.3", why: []string{"(v1.36.3): within one minor version of the lab's Kubernetes v1.37.2."}},
		{name: "v1.37", found: true, want: "1.37.2"},
		{name: "v1.38", found: true, want: "1.38.0"},
		{name: "v2.37", found: true, want: "2.37.0", useOwn: true},
		{name: "major minor", found: true, want: "1.36"},
		{name: "garbage", found: true, useOwn: true, why: []string{"said a version kubelab cannot read; to use it anyway, run /"}},
		{name: "fails", found: true, useOwn: true, why: []string{"failed to say its version"}},
		{name: "hangs", found: true, useOwn: true, why: []string{"did not say its version within 2s"}},
		{name: "not executable", useOwn: true, why: []string{"no kubectl is installed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path
			if path == "" {
				path = fakes[tc.name]
			}
			if tc.name == "not executable" {
				// A file named kubectl that the shell would not run.
				kubectlvertest.Script(t, path, "exit 0")
				if err := os.Chmod(filepath.Join(path, "kubectl"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path += ":/nonexistent"
			start := time.Now()
			in := kubectlver.Find(context.Background(), path)
			if took := time.Since(start); took > kubectlver.Timeout+time.Second {
				t.Errorf("Find took %v", took)
			}
			if (in.Path != "") != tc.found {
				t.Fatalf("Path = %q, want found=%v", in.Path, tc.found)
			}
			got := ""
			if in.Version != nil {
				got = in.Version.String()
			}
			if got != tc.want {
				t.Errorf("Version = %q, want %q (problem %q)", got, tc.want, in.Problem)
			}
			c := kubectlver.Choose(in, lab, lab)
			if c.UseOwn != tc.useOwn {
				t.Errorf("UseOwn = %v, want %v: %s", c.UseOwn, tc.useOwn, c.Why())
			}
			for _, w := range tc.why {
				if !strings.Contains(c.Why(), w) {
					t.Errorf("Why() = %q, lacks %q", c.Why(), w)
				}
			}
			if strings.Contains(c.Why(), "\n") {
				t.Errorf("Why() is more than one line: %q", c.Why())
			}
		})
	}
}

func TestInSkew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		client, server string
		want           bool
	}{
		{"1.36.0", "1.37.2", true},
		{"1.38.9", "1.37.2", true},
		{"1.37.0", "1.37.2", true},
		{"1.35.9", "1.37.2", false},
		{"1.39.0", "1.37.2", false},
		{"1.0.0", "1.37.2", false},
		{"2.37.0", "1.37.2", false},
	} {
		if got := kubectlver.InSkew(version.MustParseGeneric(tc.client), version.MustParseGeneric(tc.server)); got != tc.want {
			t.Errorf("InSkew(%s, %s) = %v, want %v", tc.client, tc.server, got, tc.want)
		}
	}
	if kubectlver.InSkew(nil, lab) || kubectlver.InSkew(lab, nil) {
		t.Error("an unknown version is never in the skew")
	}
}
