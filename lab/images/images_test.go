package images

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// The archive holds every tag, each config says its architecture and
// version, and the one layer holds the real program: run from the layer
// with its config's environment, it answers with that tag's version.
func TestArchiveHoldsEveryTagAndARunnableProgram(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "kubelab-app")
	build := exec.Command("go", "build", "-o", bin, "github.com/kubelab/kubelab/cmd/kubelab-app")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	archive := filepath.Join(dir, "images.tar")
	program, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, program, runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files := readTar(t, archive)
	var manifest []manifestEntry
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, m := range manifest {
		tags = append(tags, m.RepoTags...)
		var cfg config
		if err := json.Unmarshal(files[m.Config], &cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.Architecture != runtime.GOARCH || cfg.OS != "linux" || len(m.Layers) != 1 || files[m.Layers[0]] == nil {
			t.Errorf("%v: config %+v, layers %v", m.RepoTags, cfg, m.Layers)
		}
	}
	want := []string{"docker.io/kubelab/app:v1", "docker.io/kubelab/app:v2", "docker.io/kubelab/app:v3", "docker.io/kubelab/app:broken"}
	if !slices.Equal(tags, want) {
		t.Fatalf("tags = %v", tags)
	}
	// Take the program out of the layer and run it as the v2 image would.
	layer := readTarBytes(t, files[manifest[1].Layers[0]])
	program = layer[BinaryPath[1:]]
	orig, _ := os.ReadFile(bin)
	if !bytes.Equal(program, orig) {
		t.Fatal("the layer's program differs from the one built")
	}
	var cfg config
	_ = json.Unmarshal(files[manifest[1].Config], &cfg)
	extracted := filepath.Join(dir, "from-layer")
	if err := os.WriteFile(extracted, program, 0o755); err != nil {
		t.Fatal(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, extracted)
	cmd.Env = append(cfg.Config.Env, "KUBELAB_ADDR="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.HasPrefix(string(body), "kubelab-app v2 ") {
				t.Fatalf("GET / = %q", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the program from the layer did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readTar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readTarBytes(t, data)
}

func readTarBytes(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = b
	}
}

// The layer links each client command of lab/workload to the program, so
// `kubectl exec POD -- wget ...` finds it on the image's PATH.
func TestLayerLinksTheClientCommands(t *testing.T) {
	t.Parallel()
	data, err := layerTar([]byte("program"))
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeLink {
			links[h.Name] = h.Linkname
		}
	}
	for _, tool := range workload.Tools {
		if got := links["usr/local/bin/"+tool]; got != BinaryPath[1:] {
			t.Errorf("usr/local/bin/%s links to %q, want %q", tool, got, BinaryPath[1:])
		}
	}
}
