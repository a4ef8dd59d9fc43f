package simnode

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

// appEnv is a lesson app container's environment as its kubelet resolves
// it: plain values, and the downward API's pod fields.
func appEnv(pod *corev1.Pod, c *corev1.Container) workload.Env {
	m := map[string]string{}
	for _, e := range c.Env {
		v := e.Value
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			v = podField(pod, e.ValueFrom.FieldRef.FieldPath)
		}
		m[e.Name] = v
	}
	return func(name string) string { return m[name] }
}

func podField(pod *corev1.Pod, path string) string {
	switch path {
	case "spec.nodeName":
		return pod.Spec.NodeName
	case "metadata.name":
		return pod.Name
	case "metadata.namespace":
		return pod.Namespace
	case "status.podIP":
		return pod.Status.PodIP
	case "status.hostIP":
		return pod.Status.HostIP
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName
	}
	return ""
}

// appLines is one run of the lesson app, line for line as cmd/kubelab-app
// prints it (lab/workload holds both to the same lines).
func appLines(pod *corev1.Pod, c *corev1.Container, tag string, start, until, end time.Time, exitCode int32) []logLine {
	var lines []logLine
	add := func(d time.Duration, text string) { lines = append(lines, logLine{at: start.Add(d), text: text}) }
	fatal := func(d time.Duration, reason string) []logLine {
		add(d, workload.LogFatal(reason))
		add(d, workload.LogExit)
		return lines
	}
	env := appEnv(pod, c)
	mode := env.Mode()
	namespace := pod.Namespace
	if a := pod.Spec.AutomountServiceAccountToken; a != nil && !*a {
		namespace = "unknown" // the app reads it from the service account's files
	}
	add(0, workload.LogStarting(tag))
	add(time.Millisecond, workload.LogIdentity(pod.Name, namespace, env.Get(workload.EnvNode, "unknown"), orDefault(pod.Status.PodIP, "unknown"), mode))
	if tag == "broken" {
		return fatal(300*time.Millisecond, workload.BrokenReason)
	}
	var after time.Duration
	if d := env(workload.EnvCrashAfter); d != "" {
		var err error
		if after, err = workload.ParseDuration(d); err != nil {
			return fatal(2*time.Millisecond, fmt.Sprintf("%s=%q: %v", workload.EnvCrashAfter, d, err))
		}
		add(2*time.Millisecond, workload.LogCrashAfter(after))
	}
	if m := env(workload.EnvMemory); m != "" {
		add(2*time.Millisecond, workload.LogMemory(m))
	}
	if !workload.IsMode(mode) {
		return fatal(2*time.Millisecond, workload.NotAMode(mode).Error())
	}
	if env(workload.EnvReady) == "false" {
		add(2*time.Millisecond, workload.LogNotReady)
	}
	if mode == workload.ModeJob {
		return append(lines, jobLines(env, start, until, end, exitCode)...)
	}
	if line := workload.LogMode(env); line != "" {
		add(3*time.Millisecond, line)
	}
	if workload.Serves(mode) {
		hang, err := env.HangAfter()
		if err != nil {
			return fatal(3*time.Millisecond, err.Error())
		}
		if hang > 0 {
			add(3*time.Millisecond, workload.LogHangAfter(hang))
		}
		add(3*time.Millisecond, workload.LogListening(env.Addr()))
		lines = append(lines, probeLines(c, env, start, start, answeredUntil(env, start, until))...)
		if hang > 0 && !start.Add(hang).After(until) {
			lines = append(lines, logLine{at: start.Add(hang), text: workload.LogHung})
		}
	}
	if !end.IsZero() && exitCode == 1 && after > 0 {
		lines = append(lines, logLine{at: end, text: workload.LogFatal(workload.CrashReason(after))}, logLine{at: end, text: workload.LogExit})
	}
	return lines
}

// jobLines is the rest of a job's run: it works for its duration, then says
// its message and exits 0; a run that ended otherwise (killed, crashed)
// never said it.
func jobLines(env workload.Env, start, until, end time.Time, exitCode int32) []logLine {
	var lines []logLine
	add := func(d time.Duration, text string) { lines = append(lines, logLine{at: start.Add(d), text: text}) }
	d, err := env.JobDuration()
	if err != nil {
		add(3*time.Millisecond, workload.LogFatal(err.Error()))
		add(3*time.Millisecond, workload.LogExit)
		return lines
	}
	if d > 0 {
		add(3*time.Millisecond, workload.LogWorking(d))
	}
	finished := !start.Add(d).After(until)
	if !end.IsZero() {
		finished = exitCode == 0
	}
	if finished {
		add(3*time.Millisecond+d, workload.LogMode(env))
	}
	if after, err := workload.ParseDuration(env(workload.EnvCrashAfter)); err == nil && !end.IsZero() && exitCode == 1 && after > 0 {
		lines = append(lines, logLine{at: end, text: workload.LogFatal(workload.CrashReason(after))}, logLine{at: end, text: workload.LogExit})
	}
	return lines
}

// probeLines are the access lines the kubelet's HTTP probes of c leave in
// the app's log between from and until (the container started at start):
// the app logs /, /healthz and /readyz.
func probeLines(c *corev1.Container, env workload.Env, start, from, until time.Time) []logLine {
	var out []logLine
	for _, p := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
		if p == nil || p.HTTPGet == nil {
			continue
		}
		path := orDefault(p.HTTPGet.Path, "/")
		status := 200
		switch {
		case path == "/readyz" && env(workload.EnvReady) == "false":
			status = 503
		case path != "/" && path != "/healthz" && path != "/readyz":
			continue // a 404 the app does not log
		}
		every := 10 * time.Second // the kubelet's default period
		if p.PeriodSeconds > 0 {
			every = time.Duration(p.PeriodSeconds) * time.Second
		}
		for t := start.Add(time.Duration(p.InitialDelaySeconds) * time.Second); !t.After(until); t = t.Add(every) {
			if t.After(from) {
				out = append(out, logLine{at: t, text: workload.LogRequest("GET", path, status, 300*time.Microsecond)})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b logLine) int { return a.at.Compare(b.at) })
	if len(out) > maxLogLines {
		out = out[len(out)-maxLogLines:]
	}
	return out
}

// answeredUntil is until, or the moment before a run that started at start
// hung (workload.EnvHangAfter): a hung app logs no more requests.
func answeredUntil(env workload.Env, start, until time.Time) time.Time {
	if hang, err := env.HangAfter(); err == nil && hang > 0 && start.Add(hang).Before(until) {
		return start.Add(hang - time.Nanosecond)
	}
	return until
}
