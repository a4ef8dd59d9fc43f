package simnode

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubelab/kubelab/lab/workload"
)

// loadRun is one run of a load pod's container: the reports it has logged
// (every workload.LoadReportEvery, who answered) and the window it counts.
type loadRun struct {
	started  time.Time // the container's start: a restart starts a new run
	from     time.Time // the current window's start
	answered map[string]float64
	failed   float64
	why      string
	lines    []logLine
}

// loadStep counts dt seconds of load pod p's requests to its target, as the
// cluster would answer them: no Service of that name, the name does not
// resolve; no ready pod behind it or a port nobody listens on, no answer;
// else each ready pod answers an even share. A finished window becomes a
// report line. Called with s.mu held.
func (s *appSim) loadStep(p *corev1.Pod, c corev1.Container, now time.Time, dt float64) {
	key := p.Namespace + "/" + p.Name
	started := p.CreationTimestamp.Time
	for _, st := range p.Status.ContainerStatuses {
		if st.Name == c.Name && st.State.Running != nil {
			started = st.State.Running.StartedAt.Time
		}
	}
	run := s.loads[key]
	if run == nil || !run.started.Equal(started) {
		run = &loadRun{started: started, from: started}
		s.loads[key] = run
	}
	for !now.Before(run.from.Add(workload.LoadReportEvery)) {
		run.from = run.from.Add(workload.LoadReportEvery)
		if len(run.answered) > 0 || run.failed >= 0.5 {
			counts := map[string]int{}
			for pod, n := range run.answered {
				counts[pod] = int(math.Round(n))
			}
			run.lines = append(run.lines, logLine{at: run.from, text: workload.LogAnswered(counts, int(math.Round(run.failed)), run.why)})
			if len(run.lines) > maxLogLines {
				run.lines = run.lines[len(run.lines)-maxLogLines:]
			}
		}
		run.answered, run.failed, run.why = nil, 0, ""
	}
	n := rateOf(c, workload.DefaultRate(workload.ModeLoad)) * dt
	target := orDefault(envOf(c, workload.EnvTarget), workload.DefaultLoadTarget)
	backends, why := s.answering(p.Namespace, target)
	if len(backends) == 0 {
		run.failed += n
		run.why = why
		return
	}
	if run.answered == nil {
		run.answered = map[string]float64{}
	}
	for _, b := range backends {
		run.answered[b] += n / float64(len(backends))
	}
}

// answering are the names of the pods that answer a load pod of namespace
// ns calling target ("web", "api:80", "db.data"), or why none does.
func (s *appSim) answering(ns, target string) ([]string, string) {
	host := workload.LoadTargetHost(target)
	port := 80
	if _, p, ok := strings.Cut(target, ":"); ok {
		if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
	}
	name, svcNS, _ := strings.Cut(host, ".")
	if svcNS == "" {
		svcNS = ns
	}
	noName, noAnswer := fmt.Sprintf(workload.LoadNoName, host), fmt.Sprintf(workload.LoadNoAnswer, host)
	svc, err := s.services.Services(svcNS).Get(name)
	if err != nil {
		return nil, noName
	}
	var sp *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if int(svc.Spec.Ports[i].Port) == port {
			sp = &svc.Spec.Ports[i]
		}
	}
	if sp == nil || len(svc.Spec.Selector) == 0 {
		return nil, noAnswer
	}
	pods, _ := s.pods.Pods(svcNS).List(labels.SelectorFromSet(svc.Spec.Selector))
	var out []string
	for _, p := range pods {
		if isReady(p) && listensOn(p, sp.TargetPort, sp.Port) {
			out = append(out, p.Name)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return nil, noAnswer
	}
	return out, ""
}

// listensOn reports whether pod p listens where a Service port's targetPort
// points (a number, or a container port's name; unset: the Service's port).
func listensOn(p *corev1.Pod, target intstr.IntOrString, port int32) bool {
	want := target.IntValue()
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if target.Type == intstr.String && cp.Name == target.StrVal {
				want = int(cp.ContainerPort)
			}
		}
	}
	if target.Type == intstr.Int && want == 0 {
		want = int(port)
	}
	for _, c := range p.Spec.Containers {
		if repo, _ := splitImage(c.Image); repo != workload.AppRepo {
			return true // not the lesson app: trust the Service
		}
		env := appEnv(p, &c)
		if mode := env.Mode(); workload.Serves(mode) && portOf(env.Addr()) == want {
			return true
		}
	}
	return false
}

func portOf(addr string) int {
	_, p, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(p)
	return n
}

// loadLines are the reports load pod p's container has logged since
// (zero: all of this run).
func (s *appSim) loadLines(p *corev1.Pod, container string, since time.Time) []logLine {
	if len(p.Spec.Containers) == 0 || p.Spec.Containers[0].Name != container {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.loads[p.Namespace+"/"+p.Name]
	if run == nil {
		return nil
	}
	var out []logLine
	for _, l := range run.lines {
		if l.at.After(since) {
			out = append(out, l)
		}
	}
	return out
}
