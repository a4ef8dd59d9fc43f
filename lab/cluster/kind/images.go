package kind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"
	"sigs.k8s.io/kind/pkg/cluster/nodeutils"

	"github.com/kubelab/kubelab/lab/images"
)

// appArchive builds the lesson app images for the nodes' architecture.
func (p *Provider) appArchive() ([]byte, error) {
	arch := runtime.GOARCH
	if out, err := exec.Command("docker", "info", "--format", "{{.Architecture}}").Output(); err == nil {
		switch strings.TrimSpace(string(out)) {
		case "aarch64", "arm64":
			arch = "arm64"
		case "x86_64", "amd64":
			arch = "amd64"
		}
	}
	bin := filepath.Join(p.appDir, "kubelab-app-linux-"+arch)
	program, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("the lesson app for linux/%s is missing (%s): rebuild kubelab with `make build`", arch, bin)
	}
	var buf bytes.Buffer
	if err := images.Write(&buf, program, arch); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LoadImages loads the lesson app images into every node, in parallel.
func (p *Provider) LoadImages(ctx context.Context) error {
	archive, err := p.appArchive()
	if err != nil {
		return err
	}
	ns, err := p.kind(nil).ListNodes(Name)
	if err != nil {
		return err
	}
	return loadInto(ctx, ns, archive, 0)
}

// prepareNodes runs while kind creates the cluster, once the node
// containers have booted: the pod networks, and the lesson images into
// every node's containerd (retried until containerd answers).
func (p *Provider) prepareNodes(ctx context.Context, kp *kindcluster.Provider, archive []byte, phase func(name, title string)) error {
	const limit = 3 * time.Minute
	deadline := time.Now().Add(limit)
	ns, err := waitNodeContainers(ctx, kp, limit)
	if err != nil {
		return err
	}
	phase("network", "Connecting the nodes' pod networks")
	netErr := make(chan error, 1)
	go func() { netErr <- p.network(ctx, ns, false) }()
	phase("images", "Loading the lesson app images into the nodes")
	loadErr := loadInto(ctx, ns, archive, time.Until(deadline))
	return errors.Join(loadErr, <-netErr)
}

// loadInto loads an image archive into every node's containerd, in
// parallel, as kind's `load image-archive` does; a node whose containerd
// does not answer yet is tried again every second for up to retryFor
// (zero: tried once).
func loadInto(ctx context.Context, ns []nodes.Node, archive []byte, retryFor time.Duration) error {
	var wg sync.WaitGroup
	errs := make([]error, len(ns))
	for i, n := range ns {
		wg.Go(func() {
			var lastErr error
			err := wait.PollUntilContextTimeout(ctx, time.Second, retryFor, true, func(context.Context) (bool, error) {
				lastErr = nodeutils.LoadImageArchive(n, bytes.NewReader(archive))
				return lastErr == nil, nil
			})
			switch {
			case err == nil:
			case ctx.Err() != nil:
				errs[i] = ctx.Err()
			default:
				errs[i] = fmt.Errorf("load the lesson images into %s: %w", n, lastErr)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
