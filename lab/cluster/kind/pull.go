package kind

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/distribution/reference"
)

// errNoEngineAPI: the engine is not on a local socket kubelab can talk to
// itself (a TCP or SSH host, a docker context): `docker pull` runs instead.
var errNoEngineAPI = errors.New("the Docker engine is not on a local socket")

// engineSocket is the Docker engine's unix socket: $DOCKER_HOST's, else the
// default one; errNoEngineAPI for any other engine.
func engineSocket() (string, error) {
	if os.Getenv("DOCKER_CONTEXT") != "" {
		return "", errNoEngineAPI
	}
	h := os.Getenv("DOCKER_HOST")
	switch {
	case h == "":
		return "/var/run/docker.sock", nil
	case strings.HasPrefix(h, "unix://"):
		return strings.TrimPrefix(h, "unix://"), nil
	}
	return "", errNoEngineAPI
}

// engineClient talks HTTP to the engine's API on its socket.
func engineClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
}

// engineCall posts to the engine's API and hands its progress stream to
// readProgress.
func engineCall(ctx context.Context, path string, query url.Values, body io.Reader, contentType string, report func(string)) error {
	sock, err := engineSocket()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker"+path+"?"+query.Encode(), body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := engineClient(sock).Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoEngineAPI, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("the Docker engine answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return readProgress(resp.Body, progressStep, report)
}

// progressStep is how many percent a download moves between two reports.
const progressStep = 5

// pullWithProgress pulls image through the engine's API, reporting bytes,
// percent and layers as they arrive.
func pullWithProgress(ctx context.Context, image string, report func(string)) error {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return fmt.Errorf("node image %q: %w", image, err)
	}
	q := url.Values{"fromImage": {named.Name()}}
	switch r := named.(type) {
	case reference.Digested:
		q.Set("tag", r.Digest().String())
	case reference.Tagged:
		q.Set("tag", r.Tag())
	default:
		q.Set("tag", "latest")
	}
	return engineCall(ctx, "/images/create", q, nil, "", report)
}
