package simnode

import (
	"regexp"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

// AnnotationFinishes is on a pod whose restartPolicy lets it end (Never,
// OnFailure) and whose every container ends by itself with status 0: how
// long after it starts the simulated kubelet sees the last one exit (a Go
// duration). The pod-complete stage (assets/stages/pod.yaml) completes only
// such pods; any other container runs until it is killed or crashes, as on a
// real node: a Job whose pod serves never completes.
const AnnotationFinishes = "kubelab.dev/sim-finishes-after"

// AnnotationExits lists, on a pod whose restartPolicy is Always, the
// containers that end by themselves with status 0 (the lesson app in job
// mode in a Deployment's pod); AnnotationExitsAfter says when. A kubelet
// restarts them, and backs off: the pod-container-crash stage ends them with
// reason Completed, then CrashLoopBackOff, as on a real node.
const (
	AnnotationExits      = "kubelab.dev/sim-exits"
	AnnotationExitsAfter = "kubelab.dev/sim-exits-after"
)

// exitsAndRestarts lists the containers of a restartPolicy Always pod that
// end by themselves with status 0, and when the last of them does.
func exitsAndRestarts(pod *corev1.Pod, oom []string) ([]string, time.Duration) {
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways && pod.Spec.RestartPolicy != "" {
		return nil, 0
	}
	var names []string
	var longest time.Duration
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if slices.Contains(oom, c.Name) {
			continue
		}
		if d, ok := containerFinishes(pod, c); ok {
			names = append(names, c.Name)
			longest = max(longest, d)
		}
	}
	return names, longest + kubeletSync
}

// kubeletSync is how long a kubelet takes to see that a container exited.
const kubeletSync = time.Second

// exitAtOnce are the public images whose default command ends at once
// without a terminal (a shell, an interpreter reading an empty stdin).
var exitAtOnce = []string{"busybox", "alpine", "ubuntu", "debian", "python", "node", "golang", "hello-world"}

// forever matches the scripts that never end by themselves.
var forever = regexp.MustCompile(`\b(while|until|for)\b|sleep\s+inf|tail\s+-[a-zA-Z]*[fF]`)

// finishesAfter says whether every container of pod ends by itself with
// status 0, and when the last one does.
func finishesAfter(pod *corev1.Pod, oom []string) (time.Duration, bool) {
	if pod.Spec.RestartPolicy == corev1.RestartPolicyAlways || pod.Spec.RestartPolicy == "" || len(pod.Spec.Containers) == 0 {
		return 0, false
	}
	var longest time.Duration
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if slices.Contains(oom, c.Name) {
			return 0, false
		}
		d, ok := containerFinishes(pod, c)
		if !ok {
			return 0, false
		}
		longest = max(longest, d)
	}
	return longest + kubeletSync, true
}

// containerFinishes says whether c ends by itself with status 0, and after
// how long: the lesson app only in job mode (lab/workload), before any
// crash it was asked for; a command unless it loops; a shell image's
// default command at once.
func containerFinishes(pod *corev1.Pod, c *corev1.Container) (time.Duration, bool) {
	if workload.CrashingImage(c.Image) {
		return 0, false
	}
	crash, crashes := time.Duration(0), false
	for _, e := range c.Env {
		if e.Name == workload.EnvCrashAfter {
			crashes = true
			crash, _ = workload.ParseDuration(e.Value)
		}
	}
	repo, _ := splitImage(c.Image)
	if repo == workload.AppRepo && len(c.Command) == 0 {
		env := appEnv(pod, c)
		if !workload.Finishes(env.Mode()) {
			return 0, false
		}
		d, err := env.JobDuration()
		if err != nil || crashes && crash < d {
			return 0, false
		}
		return d, true
	}
	if crashes {
		return 0, false
	}
	script := strings.Join(append(append([]string{}, c.Command...), c.Args...), " ")
	if script == "" {
		return 0, slices.Contains(exitAtOnce, repo)
	}
	if forever.MatchString(script) {
		return 0, false
	}
	var total time.Duration
	for _, m := range sleepRE.FindAllStringSubmatch(script, -1) {
		if d, err := workload.ParseDuration(m[1]); err == nil {
			total += d
		}
	}
	return total, true
}
