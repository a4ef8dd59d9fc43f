package cluster

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// listNodes is a learner's first call, made by the real client-go.
func listNodes(t *testing.T, cfg *rest.Config) error {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err == nil {
		t.Fatal("the call got through")
	}
	return err
}

// The API server goes away mid-lesson, or never answers, or is another
// one: each is one sentence that says what to do, client-go's own words in
// the log the sentence names.
func TestUnreachableAPIServerIsOneSentence(t *testing.T) {
	t.Parallel()
	closed := func(t *testing.T) *rest.Config { // the embedded API server's process has died
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return &rest.Config{Host: "https://" + addr, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	}
	silent := func(t *testing.T) *rest.Config { // it takes the call and never answers
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				t.Cleanup(func() { c.Close() })
			}
		}()
		return &rest.Config{Host: "https://" + ln.Addr().String(), Timeout: 300 * time.Millisecond, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	}
	stranger := func(t *testing.T) *rest.Config { // a server whose certificate kubelab's kubeconfig does not trust
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		return &rest.Config{Host: srv.URL}
	}
	for _, tc := range []struct {
		name      string
		cfg       func(*testing.T) *rest.Config
		what, fix string
	}{
		{"stopped", closed, "nothing listens there", "run `kubelab up`"},
		{"silent", silent, "did not answer in time", "wait a moment"},
		{"stranger", stranger, "certificate does not match", "write the kubeconfig again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg(t)
			raw := listNodes(t, cfg)
			log := filepath.Join(t.TempDir(), "logs", "cluster.log")
			err := ExplainAPI(raw, cfg.Host, log)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%v (%T) is not an *APIError", err, raw)
			}
			msg := err.Error()
			t.Logf("the learner reads: %s", msg)
			if strings.Contains(msg, "\n") || strings.Contains(msg, raw.Error()) {
				t.Errorf("not one sentence of kubelab's: %q", msg)
			}
			for _, want := range []string{cfg.Host, tc.what, tc.fix, log} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q lacks %q", msg, want)
				}
			}
			if data, rerr := os.ReadFile(log); rerr != nil || !strings.Contains(string(data), raw.Error()) {
				t.Errorf("the log lacks client-go's error %q: %v\n%s", raw, rerr, data)
			}
		})
	}
}

// What the API server said about the objects got through: it is the
// lesson's business, not a sentence about the cluster.
func TestAnswersOfTheAPIServerPassThrough(t *testing.T) {
	t.Parallel()
	nf := apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "my-cluster")
	if got := ExplainAPI(nf, "https://x", ""); got != nf {
		t.Errorf("not found became %v", got)
	}
	busy := ExplainAPI(apierrors.NewServiceUnavailable("the server is shutting down"), "https://x", "")
	if busy == nil || !strings.Contains(busy.Error(), "starting or stopping") || strings.Contains(busy.Error(), "own words") {
		t.Errorf("service unavailable: %v", busy)
	}
}
