package kind

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A real progress stream from the Docker engine: an image of one new layer
// (3 MB of random bytes, so the engine has none of it) saved, removed and
// loaded again through the engine's API. Pulls send the same messages with
// "Downloading" in place of "Loading layer"; there is no registry here to
// pull from (see TestPullProgressOfTheDocumentedStream).
func TestLoadProgressFromTheEngine(t *testing.T) {
	realDocker(t)
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	data := make([]byte, 3<<20)
	_, _ = rand.Read(data)
	if err := tw.WriteHeader(&tar.Header{Name: "blob", Mode: 0o644, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write(data)
	_ = tw.Close()
	image := fmt.Sprintf("kubelab-progress-test:%x", data[:6])
	imp := exec.Command("docker", "import", "-", image)
	imp.Stdin = &layer
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, out)
	}
	defer exec.Command("docker", "rmi", "-f", image).Run()
	saved, err := exec.Command("docker", "save", image).Output()
	if err != nil {
		t.Fatalf("docker save: %v", err)
	}
	if out, err := exec.Command("docker", "rmi", "-f", image).CombinedOutput(); err != nil {
		t.Fatalf("docker rmi: %v\n%s", err, out)
	}
	var reports []string
	err = engineCall(context.Background(), "/images/load", url.Values{"quiet": {"0"}}, bytes.NewReader(saved), "application/x-tar", func(s string) { reports = append(reports, s) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reports: %q", reports)
	if len(reports) < 2 {
		t.Fatalf("%d reports, want the layer's progress and its end: %q", len(reports), reports)
	}
	pct := regexp.MustCompile(`^([0-9.]+ MB) of ([0-9.]+ MB) \((\d+)%\), (\d) of 1 layers$`)
	last := -1
	for _, r := range reports {
		m := pct.FindStringSubmatch(r)
		if m == nil {
			t.Fatalf("report %q is not bytes, percent and layers", r)
		}
		n, _ := strconv.Atoi(m[3])
		if n < last {
			t.Errorf("the percent went back: %q", reports)
		}
		last = n
	}
	if !strings.HasSuffix(reports[len(reports)-1], "(100%), 1 of 1 layers") || strings.Contains(reports[0], "(100%)") {
		t.Errorf("the reports do not go from a part to all of the layer: %q", reports)
	}
	if err := exec.Command("docker", "image", "inspect", image).Run(); err != nil {
		t.Errorf("the image is not in the engine after the load: %v", err)
	}
}

// A pull's stream, as the Docker engine's API documents it (no registry
// answers here): bytes across layers, layers done, and an error message in
// the stream is the error.
func TestPullProgressOfTheDocumentedStream(t *testing.T) {
	t.Parallel()
	stream := `{"status":"Pulling from kindest/node","id":"v1.37.0"}
{"status":"Pulling fs layer","progressDetail":{},"id":"aaa"}
{"status":"Pulling fs layer","progressDetail":{},"id":"bbb"}
{"status":"Already exists","progressDetail":{},"id":"ccc"}
{"status":"Downloading","progressDetail":{"current":50000000,"total":200000000},"id":"aaa"}
{"status":"Downloading","progressDetail":{"current":1000000,"total":50000000},"id":"bbb"}
{"status":"Downloading","progressDetail":{"current":200000000,"total":200000000},"id":"aaa"}
{"status":"Download complete","progressDetail":{},"id":"aaa"}
{"status":"Extracting","progressDetail":{"current":100,"total":200000000},"id":"aaa"}
{"status":"Pull complete","progressDetail":{},"id":"aaa"}
{"status":"Downloading","progressDetail":{"current":50000000,"total":50000000},"id":"bbb"}
{"status":"Pull complete","progressDetail":{},"id":"bbb"}
{"status":"Digest: sha256:abc"}
{"status":"Status: Downloaded newer image for kindest/node:v1.37.0"}
`
	var reports []string
	if err := readProgress(strings.NewReader(stream), 5, func(s string) { reports = append(reports, s) }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"0 of 1 layers",                          // the first layer named
		"1 of 3 layers",                          // one already there: done, no bytes
		"50 MB of 200 MB (25%), 1 of 3 layers",   // the first bytes (the next size known drops the share: no report)
		"201 MB of 250 MB (80%), 1 of 3 layers",  // the first layer arrived
		"201 MB of 250 MB (80%), 2 of 3 layers",  // and was unpacked
		"250 MB of 250 MB (100%), 2 of 3 layers", // the second arrived
		"250 MB of 250 MB (100%), 3 of 3 layers",
	}
	if !slices.Equal(reports, want) {
		t.Errorf("reports:\n%q\nwant:\n%q", reports, want)
	}
	err := readProgress(strings.NewReader(`{"status":"Pulling fs layer","id":"a"}
{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}
`), 5, func(string) {})
	if err == nil || err.Error() != "manifest unknown" {
		t.Errorf("error in the stream: %v", err)
	}
}

// The pull through the real engine's API reaches its registry and says why
// it could not pull: here a registry on a closed local port.
func TestPullThroughTheEngineSaysWhyItFailed(t *testing.T) {
	realDocker(t)
	err := pullWithProgress(context.Background(), "127.0.0.1:1/kubelab/none:v1", func(string) {})
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want the engine's own reason", err)
	}
}
