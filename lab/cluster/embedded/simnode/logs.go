package simnode

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

// logLine is one line a simulated container wrote, with when it wrote it.
type logLine struct {
	at   time.Time
	text string
}

// maxLogLines bounds how much history a long-running container shows.
const maxLogLines = 500

// containerLogLines makes up plausible output for one run of a container from
// what the pod asks for: kubelab's lesson app reports who and where it is,
// shell images print what their echo commands say, well-known servers print
// their usual start-up banner.
func containerLogLines(pod *corev1.Pod, name string, previous bool) ([]logLine, error) {
	c, ok := findContainer(pod, name)
	if !ok {
		return nil, fmt.Errorf("container %s is not valid for pod %s", name, pod.Name)
	}
	st, ok := containerStatus(pod, name)
	if previous {
		if !ok || st.LastTerminationState.Terminated == nil {
			return nil, fmt.Errorf("previous terminated container %q in pod %q not found", name, pod.Name)
		}
		t := st.LastTerminationState.Terminated
		return runLines(pod, c, t.StartedAt.Time, t.FinishedAt.Time, t.ExitCode), nil
	}
	switch {
	case !ok || st.State.Waiting != nil && st.LastTerminationState.Terminated == nil:
		reason := "ContainerCreating"
		if ok && st.State.Waiting.Reason != "" {
			reason = st.State.Waiting.Reason
		}
		return nil, fmt.Errorf("container %q in pod %q is waiting to start: %s", name, pod.Name, reason)
	case st.State.Waiting != nil:
		// Between restarts the current log is the last run's.
		t := st.LastTerminationState.Terminated
		return runLines(pod, c, t.StartedAt.Time, t.FinishedAt.Time, t.ExitCode), nil
	case st.State.Terminated != nil:
		t := st.State.Terminated
		return runLines(pod, c, t.StartedAt.Time, t.FinishedAt.Time, t.ExitCode), nil
	case st.State.Running != nil:
		return runLines(pod, c, st.State.Running.StartedAt.Time, time.Time{}, 0), nil
	}
	return nil, nil
}

// runLines is the output of a run from start to end (zero end: still running).
func runLines(pod *corev1.Pod, c *corev1.Container, start, end time.Time, exitCode int32) []logLine {
	if start.IsZero() {
		start = pod.CreationTimestamp.Time
	}
	until := end
	if until.IsZero() {
		until = time.Now()
	}
	at := func(d time.Duration) time.Time { return start.Add(d) }
	var lines []logLine
	add := func(d time.Duration, format string, args ...any) {
		lines = append(lines, logLine{at: at(d), text: fmt.Sprintf(format, args...)})
	}
	repo, tag := splitImage(c.Image)
	switch {
	case repo == workload.AppRepo && len(c.Command) == 0:
		// The lesson app says for itself how it ended.
		return appLines(pod, c, tag, start, until, end, exitCode)
	case repo == "nginx":
		add(0, "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration")
		add(time.Millisecond, "/docker-entrypoint.sh: Configuration complete; ready for start up")
		add(2*time.Millisecond, "%s [notice] 1#1: using the \"epoll\" event method", start.UTC().Format("2006/01/02 15:04:05"))
		add(3*time.Millisecond, "%s [notice] 1#1: start worker processes", start.UTC().Format("2006/01/02 15:04:05"))
	case repo == "redis":
		add(0, "1:M * Server initialized")
		add(time.Millisecond, "1:M * Ready to accept connections tcp")
	default:
		script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
		echoes := echoTexts(script)
		if len(echoes) == 0 {
			if len(c.Command)+len(c.Args) == 0 {
				add(0, "%s: started", c.Image)
			}
			break
		}
		for i, e := range echoes {
			add(time.Duration(i)*time.Millisecond, "%s", e)
		}
		if strings.Contains(script, "while") || strings.Contains(script, "for ") {
			every := sleepInterval(script)
			lines = append(lines, periodic(start.Add(every), until, every, echoes...)...)
		}
	}
	if !end.IsZero() && exitCode != 0 {
		lines = append(lines, logLine{at: end, text: fmt.Sprintf("exiting with status %d", exitCode)})
	}
	return lines
}

// followLines is what a running container added since the last look,
// every seconds ago, while `kubectl logs -f` watches.
func followLines(pod *corev1.Pod, name string, now time.Time, every time.Duration) []logLine {
	st, ok := containerStatus(pod, name)
	if !ok || st.State.Running == nil {
		return nil
	}
	c, _ := findContainer(pod, name)
	if repo, _ := splitImage(c.Image); repo == workload.AppRepo && len(c.Command) == 0 {
		env, started := appEnv(pod, c), st.State.Running.StartedAt.Time
		lines := probeLines(c, env, started, now.Add(-every), answeredUntil(env, started, now))
		if hang, err := env.HangAfter(); err == nil && hang > 0 && started.Add(hang).After(now.Add(-every)) && !started.Add(hang).After(now) {
			lines = append(lines, logLine{at: started.Add(hang), text: workload.LogHung})
		}
		return lines
	}
	script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	if echoes := echoTexts(script); len(echoes) > 0 && strings.Contains(script, "while") {
		return []logLine{{at: now, text: echoes[0]}}
	}
	return nil
}

func periodic(from, until time.Time, every time.Duration, texts ...string) []logLine {
	var out []logLine
	for t := from; !t.After(until); t = t.Add(every) {
		for _, s := range texts {
			out = append(out, logLine{at: t, text: s})
		}
	}
	if len(out) > maxLogLines {
		out = out[len(out)-maxLogLines:]
	}
	return out
}

var (
	echoRE  = regexp.MustCompile(`echo\s+(?:-[ne]+\s+)?("[^"]*"|'[^']*'|[^;&|]+)`)
	sleepRE = regexp.MustCompile(`sleep\s+([0-9]+)`)
)

func echoTexts(script string) []string {
	var out []string
	for _, m := range echoRE.FindAllStringSubmatch(script, -1) {
		s := strings.TrimSpace(m[1])
		s = strings.Trim(s, `"'`)
		out = append(out, s)
	}
	return out
}

func sleepInterval(script string) time.Duration {
	if m := sleepRE.FindStringSubmatch(script); m != nil {
		var n int
		_, _ = fmt.Sscanf(m[1], "%d", &n)
		if n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 5 * time.Second
}

// splitImage returns an image's repository without docker.io/library and its tag.
func splitImage(image string) (repo, tag string) {
	image, _, _ = strings.Cut(image, "@")
	repo, tag = image, "latest"
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	repo = strings.TrimPrefix(repo, "docker.io/")
	repo = strings.TrimPrefix(repo, "library/")
	return repo, tag
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
