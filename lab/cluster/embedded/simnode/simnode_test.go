package simnode

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

func TestStagesLoadWithTheContractFilledIn(t *testing.T) {
	t.Parallel()
	stages, err := loadStages()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for ref, list := range stages {
		for _, s := range list {
			names[ref.Kind+"/"+s.Name] = true
			for _, step := range s.Spec.Steps {
				if step.Patch != nil && strings.Contains(step.Patch.Template, "__") {
					t.Errorf("stage %s keeps a placeholder", s.Name)
				}
			}
		}
	}
	for _, want := range []string{"Node/node-initialize", "Node/node-heartbeat-with-lease", "Pod/pod-ready",
		"Pod/pod-image-pull-error", "Pod/pod-image-pull-backoff", "Pod/pod-container-crash",
		"Pod/pod-container-restart", "Pod/pod-complete", "Pod/pod-delete"} {
		if !names[want] {
			t.Errorf("stage %s missing; have %v", want, names)
		}
	}
}

func running(name, image string, env ...corev1.EnvVar) *corev1.Pod {
	start := metav1.NewTime(time.Now().Add(-time.Minute))
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "lab"},
		Spec:       corev1.PodSpec{NodeName: "kubelab-worker", Containers: []corev1.Container{{Name: "c", Image: image, Env: env}}},
		Status: corev1.PodStatus{PodIP: "10.244.1.7", ContainerStatuses: []corev1.ContainerStatus{{
			Name: "c", Image: image, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: start}},
		}}},
	}
}

func text(lines []logLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text + "\n")
	}
	return b.String()
}

func TestLessonAppLogsSayWhoAndWhereItIs(t *testing.T) {
	t.Parallel()
	// The node comes from the downward API, as on kind; the health checks
	// are the kubelet's liveness probe, every 10 s by default.
	p := running("web-1", "kubelab/app:v2", corev1.EnvVar{Name: workload.EnvCrashAfter, Value: "30s"},
		corev1.EnvVar{Name: workload.EnvNode, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}})
	p.Spec.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}}
	lines, err := containerLogLines(p, "c", false)
	if err != nil {
		t.Fatal(err)
	}
	got := text(lines)
	for _, want := range []string{"kubelab-app v2 starting", "pod=web-1", "node=kubelab-worker", "ip=10.244.1.7", "after 30s", "GET /healthz 200"} {
		if !strings.Contains(got, want) {
			t.Errorf("logs lack %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "GET /healthz"); n < 5 || n > 7 {
		t.Errorf("a minute of health checks every 10s: %d lines", n)
	}
	// Without a probe nothing checks its health, and without the downward
	// API the app cannot know its node.
	bare := running("web-2", "kubelab/app:v2")
	lines, err = containerLogLines(bare, "c", false)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(lines); strings.Contains(got, "GET /healthz") || !strings.Contains(got, "node=unknown") {
		t.Errorf("logs of a lesson app without probe or KUBELAB_NODE:\n%s", got)
	}
}

func TestShellEchoLoopRepeatsAndTails(t *testing.T) {
	t.Parallel()
	p := running("loop", "busybox:1.36")
	p.Spec.Containers[0].Command = []string{"sh", "-c", `while true; do echo "tick"; sleep 10; done`}
	lines, err := containerLogLines(p, "c", false)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(text(lines), "tick"); n < 6 {
		t.Fatalf("want a tick every 10s for a minute, got %d:\n%s", n, text(lines))
	}
	rec := httptest.NewRecorder()
	writeLogLines(rec, lines, logOptions{tail: 2})
	if got := rec.Body.String(); got != "tick\ntick\n" {
		t.Fatalf("tail 2 = %q", got)
	}
}

func TestLogErrorsReadLikeTheKubelets(t *testing.T) {
	t.Parallel()
	p := running("w", "nginx:lates")
	p.Status.ContainerStatuses[0].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff"}}
	if _, err := containerLogLines(p, "c", false); err == nil || !strings.Contains(err.Error(), "is waiting to start: ImagePullBackOff") {
		t.Errorf("waiting container: %v", err)
	}
	if _, err := containerLogLines(running("r", "nginx"), "c", true); err == nil || !strings.Contains(err.Error(), "previous terminated container") {
		t.Errorf("previous of a container that never restarted: %v", err)
	}
	if _, err := containerLogLines(running("r", "nginx"), "nope", false); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("unknown container: %v", err)
	}
}

func TestBrokenImageLogsItsFatalError(t *testing.T) {
	t.Parallel()
	lines := runLines(running("b", workload.BrokenImage), &corev1.Container{Image: workload.BrokenImage}, time.Now().Add(-2*time.Second), time.Now(), 1)
	got := text(lines)
	if !strings.Contains(got, "fatal:") || !strings.Contains(got, "exiting with status 1") {
		t.Fatalf("broken image logs:\n%s", got)
	}
}

func TestSplitImage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"nginx":                     "nginx latest",
		"nginx:1.27":                "nginx 1.27",
		"docker.io/library/redis:7": "redis 7",
		"kubelab/app:v1":            "kubelab/app v1",
		"localhost:5000/app":        "localhost:5000/app latest",
		"nginx@sha256:" + strings.Repeat("a", 64): "nginx latest",
	} {
		repo, tag := splitImage(in)
		if repo+" "+tag != want {
			t.Errorf("splitImage(%q) = %s %s, want %s", in, repo, tag, want)
		}
	}
}

func TestExecAttachAndPortForwardAreRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer((&nodeAgent{}).routes())
	defer srv.Close()
	for _, path := range []string{"/exec/ns/pod/c?command=id", "/attach/ns/pod/c", "/portForward/ns/pod", "/run/ns/pod/c"} {
		resp, err := http.Post(srv.URL+path, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", path, resp.StatusCode)
		}
	}
}

func TestLessonAppLogsSayWhatItsModeDoes(t *testing.T) {
	t.Parallel()
	p := running("worker-1", "kubelab/app:v1",
		corev1.EnvVar{Name: workload.EnvMode, Value: "worker"}, corev1.EnvVar{Name: workload.EnvQueue, Value: "orders"},
		corev1.EnvVar{Name: workload.EnvMemory, Value: "300Mi"})
	lines, err := containerLogLines(p, "c", false)
	if err != nil {
		t.Fatal(err)
	}
	out := text(lines)
	for _, want := range []string{`worker on queue "orders", 5 tasks per second`, "holding 300Mi of memory"} {
		if !strings.Contains(out, want) {
			t.Errorf("worker log lacks %q:\n%s", want, out)
		}
	}
	// A worker serves its /metrics, as the real app does.
	if !strings.Contains(out, "listening on :8080") {
		t.Errorf("a worker serves HTTP for its /metrics:\n%s", out)
	}
	// The lesson app image running a shell command (a CronJob's report)
	// prints what the command echoes.
	job := running("report-now-x", "kubelab/app:v1")
	job.Spec.Containers[0].Command = []string{"sh", "-c", "echo 'nightly report: 42 orders'"}
	lines, err = containerLogLines(job, "c", false)
	if err != nil {
		t.Fatal(err)
	}
	if out := text(lines); !strings.Contains(out, "nightly report: 42 orders") {
		t.Errorf("job log:\n%s", out)
	}
}

// `kubectl logs -f` of a lesson app shows its probes as they come, and
// nothing when nothing probes it (the real app logs only requests).
func TestFollowingTheLessonAppShowsItsProbes(t *testing.T) {
	t.Parallel()
	p := running("web-1", "kubelab/app:v1", corev1.EnvVar{Name: workload.EnvReady, Value: "false"})
	started := p.Status.ContainerStatuses[0].State.Running.StartedAt.Time
	if got := followLines(p, "c", started.Add(30*time.Second), 5*time.Second); len(got) != 0 {
		t.Errorf("no probe, yet the follow shows %q", text(got))
	}
	p.Spec.Containers[0].ReadinessProbe = &corev1.Probe{PeriodSeconds: 5, ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/readyz"}}}
	var all []logLine
	for at := started.Add(5 * time.Second); !at.After(started.Add(30 * time.Second)); at = at.Add(5 * time.Second) {
		all = append(all, followLines(p, "c", at, 5*time.Second)...)
	}
	if n := strings.Count(text(all), "GET /readyz 503 "); n != 6 || len(all) != 6 {
		t.Errorf("30 s of a readiness probe every 5 s on a not-ready app, followed every 5 s:\n%s", text(all))
	}
}
