package simnode

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

func TestOnlyJobsAndCommandsThatEndFinish(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) []corev1.EnvVar {
		var out []corev1.EnvVar
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, corev1.EnvVar{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	job := env(workload.EnvMode, workload.ModeJob)
	cases := []struct {
		name    string
		restart corev1.RestartPolicy
		c       corev1.Container
		oom     []string
		want    time.Duration // 0: never finishes
	}{
		{"lesson app in job mode", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1", Env: job}, nil, kubeletSync},
		{"job that works 20s", corev1.RestartPolicyOnFailure, corev1.Container{Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeJob, workload.EnvDuration, "20")}, nil, 20*time.Second + kubeletSync},
		{"job in a Deployment's pod", corev1.RestartPolicyAlways, corev1.Container{Image: "kubelab/app:v1", Env: job}, nil, 0},
		{"server", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1"}, nil, 0},
		{"worker", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeWorker)}, nil, 0},
		{"job that crashes before it is done", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeJob, workload.EnvDuration, "1m", workload.EnvCrashAfter, "5s")}, nil, 0},
		{"job done before its crash", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeJob, workload.EnvCrashAfter, "5s")}, nil, kubeletSync},
		{"job over its memory limit", corev1.RestartPolicyNever, corev1.Container{Name: "app", Image: "kubelab/app:v1", Env: job}, []string{"app"}, 0},
		{"broken image", corev1.RestartPolicyNever, corev1.Container{Image: workload.BrokenImage, Env: job}, nil, 0},
		{"unreadable duration", corev1.RestartPolicyNever, corev1.Container{Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeJob, workload.EnvDuration, "soon")}, nil, 0},
		{"echo", corev1.RestartPolicyNever, corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "echo hi"}}, nil, kubeletSync},
		{"sleeps then echoes", corev1.RestartPolicyNever, corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "sleep 3; echo hi; sleep 2"}}, nil, 5*time.Second + kubeletSync},
		{"loop", corev1.RestartPolicyNever, corev1.Container{Image: "busybox", Command: []string{"sh", "-c", "while true; do echo hi; sleep 5; done"}}, nil, 0},
		{"sleep infinity", corev1.RestartPolicyNever, corev1.Container{Image: "busybox", Args: []string{"sleep", "infinity"}}, nil, 0},
		{"shell image's default command", corev1.RestartPolicyNever, corev1.Container{Image: "busybox:1.36"}, nil, kubeletSync},
		{"web server image", corev1.RestartPolicyNever, corev1.Container{Image: "nginx:1.27"}, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: c.restart, Containers: []corev1.Container{c.c}}}
			got, ok := finishesAfter(p, c.oom)
			if !ok {
				got = 0
			}
			if got != c.want {
				t.Errorf("finishes after %v (%v), want %v", got, ok, c.want)
			}
		})
	}
	// A pod finishes when its last container does; one that never ends keeps it running.
	two := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{
		{Name: "a", Image: "kubelab/app:v1", Env: env(workload.EnvMode, workload.ModeJob, workload.EnvDuration, "3s")},
		{Name: "b", Image: "busybox", Command: []string{"sleep", "7"}},
	}}}
	if got, ok := finishesAfter(two, nil); !ok || got != 7*time.Second+kubeletSync {
		t.Errorf("two containers: %v %v, want the longer one's 7s", got, ok)
	}
	two.Spec.Containers[1] = corev1.Container{Name: "b", Image: "kubelab/app:v1"}
	if got, ok := finishesAfter(two, nil); ok {
		t.Errorf("a job beside a server finishes after %v, want never", got)
	}
}

// In a restartPolicy Always pod, the containers that end by themselves are
// the ones the kubelet restarts (pod-container-crash ends them Completed).
func TestAlwaysPodsRestartContainersThatEnd(t *testing.T) {
	t.Parallel()
	job := []corev1.EnvVar{{Name: workload.EnvMode, Value: workload.ModeJob}, {Name: workload.EnvDuration, Value: "3s"}}
	cases := []struct {
		name    string
		restart corev1.RestartPolicy
		cs      []corev1.Container
		oom     []string
		want    string
		after   time.Duration
	}{
		{"job mode in a Deployment's pod", corev1.RestartPolicyAlways, []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Env: job}}, nil, "app", 3*time.Second + kubeletSync},
		{"restartPolicy unset is Always", "", []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Env: job}}, nil, "app", 3*time.Second + kubeletSync},
		{"a server beside a job: only the job", corev1.RestartPolicyAlways, []corev1.Container{{Name: "web", Image: "kubelab/app:v1"}, {Name: "app", Image: "kubelab/app:v1", Env: job}}, nil, "app", 3*time.Second + kubeletSync},
		{"a server", corev1.RestartPolicyAlways, []corev1.Container{{Name: "web", Image: "kubelab/app:v1"}}, nil, "", 0},
		{"a job over its memory limit is OOM-killed instead", corev1.RestartPolicyAlways, []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Env: job}}, []string{"app"}, "", 0},
		{"a Job's pod completes instead", corev1.RestartPolicyNever, []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Env: job}}, nil, "", 0},
		{"OnFailure completes instead", corev1.RestartPolicyOnFailure, []corev1.Container{{Name: "app", Image: "kubelab/app:v1", Env: job}}, nil, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := &corev1.Pod{Spec: corev1.PodSpec{RestartPolicy: c.restart, Containers: c.cs}}
			names, after := exitsAndRestarts(p, c.oom)
			got := ""
			if len(names) > 0 {
				got = names[0]
			}
			if got != c.want || len(names) > 1 || (c.want != "" && after != c.after) {
				t.Errorf("exits %v after %v, want [%s] after %v", names, after, c.want, c.after)
			}
		})
	}
}
