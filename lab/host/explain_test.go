package host

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/cluster/embedded"
)

// The lab names its API server and its log when a call cannot get through
// mid-lesson (here: a server that has gone, reached by the real client-go).
func TestExplainNamesTheServerAndTheLog(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := "https://" + ln.Addr().String()
	ln.Close()
	cfg := &rest.Config{Host: server, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, raw := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	state := t.TempDir()
	p, err := NewProvider(cluster.Embedded, embedded.WithStateDir(filepath.Join(state, "embedded")))
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(context.Background(), Config{Provider: p, StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	h.clients = &Clients{Config: cfg}
	msg := h.Explain(raw).Error()
	for _, want := range []string{server, "run `kubelab up`", h.LogPath()} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}
