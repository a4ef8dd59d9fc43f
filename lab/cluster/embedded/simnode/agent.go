package simnode

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listerscorev1 "k8s.io/client-go/listers/core/v1"

	"github.com/kubelab/kubelab/lab/cluster/embedded/pki"
)

// ExecRefused is what a learner sees for `kubectl exec`, `attach` and
// `port-forward` on the embedded cluster. kwok would run the command on the
// host, which kubelab never allows.
const ExecRefused = "kubelab: the embedded cluster's nodes are simulated and have no real containers to run commands in; " +
	"use `kubelab up --backend kind` (needs Docker) for exec, attach and port-forward"

// nodeAgent plays the part of the kubelets' own API (what `kubectl logs` and
// `kubectl exec` reach through the API server) for every simulated node.
type nodeAgent struct {
	pods listerscorev1.PodLister
	sim  *appSim
}

// StartAgent serves the kubelet API on 127.0.0.1:port over TLS, accepting
// only clients whose certificate the cluster CA signed (the API server), and
// starts the event recorder.
func StartAgent(ctx context.Context, set pki.Set, cs kubernetes.Interface, port int, errc chan<- error) error {
	factory := informers.NewSharedInformerFactory(cs, 0)
	podInformer := factory.Core().V1().Pods()
	sim := newAppSim(podInformer.Lister(), factory.Core().V1().Services().Lister())
	a := &nodeAgent{pods: podInformer.Lister(), sim: sim}
	rec := newEventRecorder(cs)
	if _, err := podInformer.Informer().AddEventHandler(rec.handler()); err != nil {
		return err
	}
	if err := startChecks(ctx, cs, factory); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	go sim.run(ctx.Done())
	go runHangs(ctx, cs, podInformer.Lister(), rec)
	go runProvisioner(ctx, cs)

	cert, err := tls.LoadX509KeyPair(set.Path("kubelet.crt"), set.Path("kubelet.key"))
	if err != nil {
		return fmt.Errorf("node agent certificate: %w", err)
	}
	caPEM, err := os.ReadFile(set.Path("ca.crt"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("node agent: %w", err)
	}
	srv := &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{cert},
			ClientCAs:    pool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
		rec.stop()
	}()
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("node agent: %w", err)
		}
	}()
	return nil
}

func (a *nodeAgent) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", a.containerLogs)
	// The lesson app's /metrics, simulated (reached via nodes/<node>/proxy).
	mux.HandleFunc("GET /kubelab/metrics/{ns}/{pod}", a.sim.exposition)
	refuse := func(w http.ResponseWriter, _ *http.Request) { http.Error(w, ExecRefused, http.StatusForbidden) }
	for _, p := range []string{"/exec/", "/attach/", "/portForward/", "/run/", "/cri/"} {
		mux.HandleFunc(p, refuse)
	}
	return mux
}

func (a *nodeAgent) containerLogs(w http.ResponseWriter, r *http.Request) {
	ns, name, container := r.PathValue("ns"), r.PathValue("pod"), r.PathValue("container")
	pod, err := a.pods.Pods(ns).Get(name)
	if err != nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found", ns, name), http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	opts := logOptions{
		previous:   q.Get("previous") == "true",
		timestamps: q.Get("timestamps") == "true",
		follow:     q.Get("follow") == "true",
		tail:       -1,
	}
	if t := q.Get("tailLines"); t != "" {
		if n, err := strconv.Atoi(t); err == nil {
			opts.tail = n
		}
	}
	if t := q.Get("tail"); t != "" && t != "all" {
		if n, err := strconv.Atoi(t); err == nil {
			opts.tail = n
		}
	}
	if s := q.Get("sinceSeconds"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			opts.since = time.Now().Add(-time.Duration(n) * time.Second)
		}
	}
	if s := q.Get("sinceTime"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			opts.since = t
		}
	}
	lines, err := containerLogLines(pod, container, opts.previous)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !opts.previous {
		lines = append(lines, a.sim.loadLines(pod, container, time.Time{})...)
	}
	w.Header().Set("Content-Type", "text/plain")
	writeLogLines(w, lines, opts)
	if !opts.follow {
		return
	}
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	// Follow: a running lesson app keeps logging its probes, a shell loop its echoes.
	const every = 5 * time.Second
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case now := <-tick.C:
			pod, err := a.pods.Pods(ns).Get(name)
			if err != nil || pod.DeletionTimestamp != nil {
				return
			}
			lines := append(followLines(pod, container, now, every), a.sim.loadLines(pod, container, now.Add(-every))...)
			if len(lines) > 0 {
				writeLogLines(w, lines, logOptions{timestamps: opts.timestamps, tail: -1})
				if flusher != nil {
					flusher.Flush()
				}
			}
		}
	}
}

type logOptions struct {
	previous, timestamps, follow bool
	tail                         int
	since                        time.Time
}

func writeLogLines(w http.ResponseWriter, lines []logLine, opts logOptions) {
	var kept []logLine
	for _, l := range lines {
		if !opts.since.IsZero() && l.at.Before(opts.since) {
			continue
		}
		kept = append(kept, l)
	}
	if opts.tail >= 0 && len(kept) > opts.tail {
		kept = kept[len(kept)-opts.tail:]
	}
	var b strings.Builder
	for _, l := range kept {
		if opts.timestamps {
			b.WriteString(l.at.UTC().Format(time.RFC3339Nano))
			b.WriteByte(' ')
		}
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	_, _ = w.Write([]byte(b.String()))
}

// isContainer reports whether pod has a container (or init container) named name.
func findContainer(pod *corev1.Pod, name string) (*corev1.Container, bool) {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i], true
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i], true
		}
	}
	return nil, false
}

func containerStatus(pod *corev1.Pod, name string) (corev1.ContainerStatus, bool) {
	for _, s := range append(append([]corev1.ContainerStatus{}, pod.Status.ContainerStatuses...), pod.Status.InitContainerStatuses...) {
		if s.Name == name {
			return s, true
		}
	}
	return corev1.ContainerStatus{}, false
}
