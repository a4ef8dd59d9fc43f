// Package images builds kubelab's lesson app images (kubelab/app:v1, v2, v3,
// broken) without a registry or a Dockerfile base: one layer holding the
// static kubelab-app program, and an image config per tag that sets
// KUBELAB_VERSION. The result is a docker-archive tarball, the format
// `docker load`, `ctr images import` and `kind load image-archive` read.
package images

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// BinaryPath is where the program sits inside the image.
const BinaryPath = "/usr/local/bin/kubelab-app"

// Tags are the lesson app images built, as "repo:tag".
func Tags() []string {
	var out []string
	for _, t := range workload.AppTags {
		out = append(out, workload.AppRepo+":"+t)
	}
	return out
}

// config is the subset of the OCI/Docker image config kubelab sets.
type config struct {
	Architecture string      `json:"architecture"`
	OS           string      `json:"os"`
	Created      time.Time   `json:"created"`
	Config       imageConfig `json:"config"`
	RootFS       rootFS      `json:"rootfs"`
}

type imageConfig struct {
	Entrypoint   []string            `json:"Entrypoint"`
	Env          []string            `json:"Env"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts"`
	Labels       map[string]string   `json:"Labels"`
	User         string              `json:"User,omitempty"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

type manifestEntry struct {
	Config   string   `json:"Config"`
	RepoTags []string `json:"RepoTags"`
	Layers   []string `json:"Layers"`
}

// Write writes the docker-archive of every lesson app tag for arch (amd64,
// arm64) to w, with program (a static linux/arch kubelab-app) inside.
func Write(w io.Writer, program []byte, arch string) error {
	layer, err := layerTar(program)
	if err != nil {
		return err
	}
	layerSum := sha256.Sum256(layer)
	layerName := hex.EncodeToString(layerSum[:]) + "/layer.tar"
	tw := tar.NewWriter(w)
	add := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(layerName, layer); err != nil {
		return err
	}
	var manifest []manifestEntry
	for _, t := range workload.AppTags {
		cfg := config{
			Architecture: arch, OS: "linux", Created: time.Unix(0, 0).UTC(),
			Config: imageConfig{
				Entrypoint:   []string{BinaryPath},
				Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin", "KUBELAB_VERSION=" + t},
				ExposedPorts: map[string]struct{}{"8080/tcp": {}},
				Labels:       map[string]string{"dev.kubelab.app": t},
			},
			RootFS: rootFS{Type: "layers", DiffIDs: []string{"sha256:" + hex.EncodeToString(layerSum[:])}},
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		name := hex.EncodeToString(sum[:]) + ".json"
		if err := add(name, data); err != nil {
			return err
		}
		manifest = append(manifest, manifestEntry{Config: name, RepoTags: []string{"docker.io/" + workload.AppRepo + ":" + t}, Layers: []string{layerName}})
	}
	data, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	if err := add("manifest.json", data); err != nil {
		return err
	}
	return tw.Close()
}

// layerTar is the image's only layer: the program and the folders it uses.
func layerTar(program []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	for _, d := range []string{"usr/", "usr/local/", "usr/local/bin/", "tmp/", "data/", "var/", "var/log/", "var/log/app/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Name: d, Mode: mode, Typeflag: tar.TypeDir, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	if err := tw.WriteHeader(&tar.Header{Name: BinaryPath[1:], Mode: 0o755, Size: int64(len(program)), Typeflag: tar.TypeReg, ModTime: epoch}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(program); err != nil {
		return nil, err
	}
	// The client commands lesson texts run with kubectl exec: links to the
	// program, which plays each by the name it was started as.
	for _, t := range workload.Tools {
		link := &tar.Header{Name: "usr/local/bin/" + t, Linkname: BinaryPath[1:], Mode: 0o755, Typeflag: tar.TypeLink, ModTime: epoch}
		if err := tw.WriteHeader(link); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
