package kind

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegistryHostOfNodeImages(t *testing.T) {
	t.Parallel()
	for image, want := range map[string]string{
		"kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5": "registry-1.docker.io:443",
		"kubelab/node:absent-test":          "registry-1.docker.io:443",
		"registry.example:5000/node:v1":     "registry.example:5000",
		"ghcr.io/kubelab/node:v1.37.2":      "ghcr.io:443",
		"localhost:5001/kubelab/node:local": "localhost:5001",
	} {
		if got := registryHost(image); got != want {
			t.Errorf("registryHost(%q) = %q, want %q", image, got, want)
		}
	}
}

// The error says what to do for each kind of image, in one sentence that
// names the log.
func TestNodeImageErrorSaysHowToGetTheImage(t *testing.T) {
	t.Parallel()
	own := &NodeImageError{Image: "kubelab/node:v1.37.2", Log: "/s/kind/logs/kind.log", Err: ErrRegistryUnreachable}
	if !strings.Contains(own.Error(), "`make node-image`") || !strings.Contains(own.Error(), "its registry does not answer") || !strings.HasSuffix(own.Error(), "(details: /s/kind/logs/kind.log)") {
		t.Errorf("kubelab's image: %s", own)
	}
	upstream := &NodeImageError{Image: "kindest/node:v1.37.0", Log: "l", Err: errors.New("docker pull: exit status 1")}
	if !strings.Contains(upstream.Error(), "`docker pull kindest/node:v1.37.0` when online") || !strings.Contains(upstream.Error(), "could not be pulled") || strings.Contains(upstream.Error(), "\n") {
		t.Errorf("kind's image: %s", upstream)
	}
}

// An image that is not in the Docker engine, whose registry does not answer
// (no registry here, as in CI), is a *NodeImageError at once, with no pull
// tried and the reason in the log.
func TestAbsentNodeImageWithoutRegistryIsATypedError(t *testing.T) {
	if err := exec.Command("docker", "info", "--format", "{{.ID}}").Run(); err != nil {
		t.Skip("no Docker engine answers here (`docker info` fails); the absent node image needs one")
	}
	p, err := New(WithStateDir(t.TempDir()), WithNodeImage("kubelab/node:absent-test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dialRegistry(context.Background(), registryHost(p.NodeImage())); err == nil {
		t.Skip("Docker Hub answers here; this test needs a machine without a registry, as CI is")
	}
	var phases []string
	err = p.ensureNodeImage(context.Background(), func(_, title string) { phases = append(phases, title) })
	var nie *NodeImageError
	if !errors.As(err, &nie) || !errors.Is(err, ErrRegistryUnreachable) || nie.Image != "kubelab/node:absent-test" {
		t.Fatalf("err = %v (%T), want a *NodeImageError for an unreachable registry", err, err)
	}
	if len(phases) != 0 {
		t.Errorf("a pull was tried: %q", phases)
	}
	if data, err := os.ReadFile(nie.Log); err != nil || !strings.Contains(string(data), "registry-1.docker.io:443 does not answer") {
		t.Errorf("log %s: %v\n%s", nie.Log, err, data)
	}
	if filepath.Dir(filepath.Dir(nie.Log)) != p.dir {
		t.Errorf("log %s is not in the provider's state %s", nie.Log, p.dir)
	}
}
