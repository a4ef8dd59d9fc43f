package kind

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/distribution/reference"
	"sigs.k8s.io/kind/pkg/apis/config/defaults"

	"github.com/kubelab/kubelab/lab/cluster"
)

// RegistryWait is how long kubelab waits for the node image's registry to
// answer before it gives up on pulling the image: a registry that does not
// answer in this time is treated as none (offline), and no pull is tried.
// Once it answers, the pull runs to its end (or until the context ends):
// a node image is hundreds of megabytes and may take minutes on a slow line.
const RegistryWait = 5 * time.Second

// ErrRegistryUnreachable: the node image's registry did not answer.
var ErrRegistryUnreachable = errors.New("its registry does not answer")

// NodeImageError says that kind's node image is neither in the Docker
// engine's image store nor could be pulled. Err is why the pull was not
// possible (ErrRegistryUnreachable, or the pull's failure); Log keeps
// docker's own output.
type NodeImageError struct {
	Image string
	Log   string
	Err   error
}

func (e *NodeImageError) Error() string {
	why := "could not be pulled"
	if errors.Is(e.Err, ErrRegistryUnreachable) {
		why = "its registry does not answer (offline?)"
	}
	return fmt.Sprintf("kind's node image %s is not in the Docker engine and %s: %s, then run `kubelab up --backend kind` again (details: %s)", e.Image, why, e.Fix(), e.Log)
}

func (e *NodeImageError) Unwrap() error { return e.Err }

// Fix says how to get the image: kubelab's own is built from its source,
// any other is pulled once online.
func (e *NodeImageError) Fix() string {
	if strings.HasPrefix(e.Image, "kubelab/node") {
		return "build it with `make node-image` in kubelab's source"
	}
	return fmt.Sprintf("pull it with `docker pull %s` when online", e.Image)
}

// NodeImage is the node image kind runs: WithNodeImage or
// $KUBELAB_NODE_IMAGE, else kind's default.
func (p *Provider) NodeImage() string {
	if p.nodeImage != "" {
		return p.nodeImage
	}
	return defaults.Image
}

// LogPath is the file that keeps the output of what kubelab ran for kind.
func (p *Provider) LogPath() string { return filepath.Join(p.dir, "logs", "kind.log") }

// ensureNodeImage makes sure the node image is in the Docker engine: there
// already, or pulled now in one attempt when its registry answers within
// RegistryWait; a *NodeImageError otherwise.
func (p *Provider) ensureNodeImage(ctx context.Context, phase func(name, title string)) error {
	image := p.NodeImage()
	if exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Id}}", image).Run() == nil {
		return nil
	}
	host := registryHost(image)
	if err := dialRegistry(ctx, host); err != nil {
		p.log(fmt.Sprintf("node image %s is not in the Docker engine; its registry %s does not answer: %v", image, host, err))
		return &NodeImageError{Image: image, Log: p.LogPath(), Err: fmt.Errorf("%s: %w", host, ErrRegistryUnreachable)}
	}
	title := "Pulling the node image " + image
	phase("pull", title)
	// Through the engine's API, whose stream says how far the download is
	// (`docker pull` shows no progress when its output is not a terminal).
	err := pullWithProgress(ctx, image, func(progress string) { phase("pull", title+cluster.ProgressSeparator+progress) })
	var out []byte
	if errors.Is(err, errNoEngineAPI) {
		out, err = exec.CommandContext(ctx, "docker", "pull", image).CombinedOutput()
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.log(fmt.Sprintf("docker pull %s: %v\n%s", image, err, out))
		return &NodeImageError{Image: image, Log: p.LogPath(), Err: fmt.Errorf("docker pull: %w", err)}
	}
	return nil
}

// registryHost is the host:port the image is pulled from (Docker Hub's for
// docker.io names).
func registryHost(image string) string {
	domain := "docker.io"
	if named, err := reference.ParseNormalizedNamed(image); err == nil {
		domain = reference.Domain(named)
	}
	if domain == "docker.io" {
		domain = "registry-1.docker.io"
	}
	if _, _, err := net.SplitHostPort(domain); err != nil {
		domain = net.JoinHostPort(domain, "443")
	}
	return domain
}

// dialRegistry connects to the registry (or the HTTPS proxy that reaches
// it) within RegistryWait.
func dialRegistry(ctx context.Context, host string) error {
	addr := host
	if proxy, err := http.ProxyFromEnvironment(&http.Request{URL: &url.URL{Scheme: "https", Host: host}}); err == nil && proxy != nil {
		addr = proxy.Host
		if proxy.Port() == "" {
			addr = net.JoinHostPort(proxy.Hostname(), "80")
		}
	}
	d := net.Dialer{Timeout: RegistryWait}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// log appends a line to LogPath (best effort: the log is for reading later).
func (p *Provider) log(msg string) {
	if err := os.MkdirAll(filepath.Dir(p.LogPath()), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(p.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", time.Now().Format(time.RFC3339), strings.TrimSpace(msg))
}
