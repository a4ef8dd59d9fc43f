package clustertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/workload"
)

// JobCase is one thing a Job's pods do on a real node. The same cases run
// against the embedded cluster's simulated nodes (lab/cluster/embedded) and,
// in make e2e-kind, against kind's real kubelets, so the simulation is held
// to what Kubernetes does.
type JobCase struct {
	Name string
	Run  func(t *testing.T, cs kubernetes.Interface, ns string, m cluster.Machine)
}

// JobCases are the Job behaviours (and those of the lesson app's job mode)
// both backends must show.
func JobCases() []JobCase {
	return []JobCase{
		{"a Job whose pod serves never completes", serverJobNeverCompletes},
		{"a killed container of a restartPolicy Never pod fails the pod and the Job makes a new one", killedNeverPodFails},
		{"a restarted container shows its killed run (logs --previous) and keeps its exit code after the pod completes", restartedRunStays},
		{"a Deployment's pod in job mode exits 0, is restarted and backs off (CrashLoopBackOff, last state Completed)", jobModeUnderAlwaysRestarts},
	}
}

const jobMessage = "migrated 12 tables"

// appJob is a Job of one lesson app container (named app) with env.
func appJob(name string, restart corev1.RestartPolicy, backoff int32, env ...corev1.EnvVar) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: batchv1.JobSpec{
			BackoffLimit: &backoff,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: restart,
				Containers:    []corev1.Container{{Name: "app", Image: workload.AppRepo + ":v1", Env: env}},
			}},
		},
	}
}

func jobEnv(duration string) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: workload.EnvMode, Value: workload.ModeJob},
		{Name: workload.EnvMessage, Value: jobMessage},
		{Name: workload.EnvDuration, Value: duration},
	}
}

func createJob(t *testing.T, cs kubernetes.Interface, ns string, j *batchv1.Job) {
	t.Helper()
	if _, err := cs.BatchV1().Jobs(ns).Create(context.Background(), j, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create job %s: %v", j.Name, err)
	}
}

func jobPods(ctx context.Context, cs kubernetes.Interface, ns, job string) ([]corev1.Pod, error) {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "job-name=" + job})
	if err != nil {
		return nil, err
	}
	return pods.Items, nil
}

func appStatus(p *corev1.Pod) (corev1.ContainerStatus, bool) {
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == "app" {
			return c, true
		}
	}
	return corev1.ContainerStatus{}, false
}

func describe(pods []corev1.Pod) string {
	var out []string
	for _, p := range pods {
		c, _ := appStatus(&p)
		state := "waiting"
		switch {
		case c.State.Running != nil:
			state = "running"
		case c.State.Terminated != nil:
			state = fmt.Sprintf("terminated(%d %s)", c.State.Terminated.ExitCode, c.State.Terminated.Reason)
		}
		out = append(out, fmt.Sprintf("%s:%s/%s/restarts=%d", p.Name, p.Status.Phase, state, c.RestartCount))
	}
	return strings.Join(out, " ")
}

// runningPod waits for the Job's pod whose app container runs.
func runningPod(t *testing.T, cs kubernetes.Interface, ns, job string) corev1.Pod {
	t.Helper()
	var found corev1.Pod
	Eventually(t, 90*time.Second, "a running pod of job "+job, func(ctx context.Context) (bool, string) {
		pods, err := jobPods(ctx, cs, ns, job)
		if err != nil {
			return false, err.Error()
		}
		for _, p := range pods {
			if c, ok := appStatus(&p); ok && c.State.Running != nil && p.DeletionTimestamp == nil {
				found = p
				return true, ""
			}
		}
		return false, describe(pods)
	})
	return found
}

func logs(t *testing.T, cs kubernetes.Interface, ns, pod string, previous bool) string {
	t.Helper()
	out, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{Container: "app", Previous: previous}).DoRaw(context.Background())
	if err != nil {
		t.Fatalf("logs of %s (previous=%v): %v", pod, previous, err)
	}
	return string(out)
}

func jobCondition(j *batchv1.Job, c batchv1.JobConditionType) bool {
	for _, cond := range j.Status.Conditions {
		if cond.Type == c && cond.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// serverJobNeverCompletes: only the lesson app's job mode ends by itself.
// A Job of a server keeps its pod running (next to one that completes, so
// that the server had the time a job takes).
func serverJobNeverCompletes(t *testing.T, cs kubernetes.Interface, ns string, _ cluster.Machine) {
	createJob(t, cs, ns, appJob("report", corev1.RestartPolicyNever, 0, jobEnv("0s")...))
	createJob(t, cs, ns, appJob("web", corev1.RestartPolicyNever, 0))
	Eventually(t, 90*time.Second, "job report Complete", func(ctx context.Context) (bool, string) {
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, "report", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return jobCondition(j, batchv1.JobComplete) && j.Status.Succeeded == 1, fmt.Sprintf("%+v", j.Status)
	})
	pods, err := jobPods(context.Background(), cs, ns, "report")
	if err != nil || len(pods) != 1 {
		t.Fatalf("pods of job report: %v %s", err, describe(pods))
	}
	if out := logs(t, cs, ns, pods[0].Name, false); !strings.Contains(out, jobMessage) {
		t.Errorf("logs of the completed job lack its %s %q:\n%s", workload.EnvMessage, jobMessage, out)
	}
	web := runningPod(t, cs, ns, "web")
	// A job is done in a moment; the server has had that long many times over.
	for range 5 {
		time.Sleep(time.Second)
		j, err := cs.BatchV1().Jobs(ns).Get(context.Background(), "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pods, err := jobPods(context.Background(), cs, ns, "web")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := appStatus(&web)
		if j.Status.Succeeded != 0 || jobCondition(j, batchv1.JobComplete) || len(pods) != 1 || pods[0].Status.Phase != corev1.PodRunning {
			t.Fatalf("a Job of a server completed (or its pod ended): %+v; pods %s", j.Status, describe(pods))
		}
		if now, _ := appStatus(&pods[0]); now.State.Running == nil || now.RestartCount != c.RestartCount {
			t.Fatalf("the server's container stopped: %s", describe(pods))
		}
	}
}

// killedNeverPodFails: a kubelet never restarts a container of a
// restartPolicy Never pod; the pod fails and the Job makes a new pod.
func killedNeverPodFails(t *testing.T, cs kubernetes.Interface, ns string, m cluster.Machine) {
	createJob(t, cs, ns, appJob("migrate", corev1.RestartPolicyNever, 2, jobEnv("10m")...))
	victim := runningPod(t, cs, ns, "migrate")
	if err := m.KillContainer(context.Background(), ns, victim.Name, "app"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	Eventually(t, 90*time.Second, "the killed pod Failed with exit code 137, not restarted, and a new pod", func(ctx context.Context) (bool, string) {
		pods, err := jobPods(ctx, cs, ns, "migrate")
		if err != nil {
			return false, err.Error()
		}
		failed, fresh := false, false
		for _, p := range pods {
			c, _ := appStatus(&p)
			if p.UID == victim.UID {
				if c.RestartCount != 0 {
					t.Fatalf("the killed container was restarted in its restartPolicy Never pod: %s", describe(pods))
				}
				failed = p.Status.Phase == corev1.PodFailed && c.State.Terminated != nil && c.State.Terminated.ExitCode == 137
			} else {
				fresh = true
			}
		}
		return failed && fresh, describe(pods)
	})
	Eventually(t, 30*time.Second, "job migrate counts the killed pod as failed", func(ctx context.Context) (bool, string) {
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, "migrate", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return j.Status.Failed == 1, fmt.Sprintf("%+v", j.Status)
	})
}

// restartedRunStays: restartPolicy OnFailure restarts a killed container in
// its pod, where `kubectl logs --previous` shows the killed run; once the pod
// completes, the killed run's exit code is still its last state. (A real
// kubelet then soon collects the killed container, and with it the log
// --previous read: kind answers "unable to retrieve container logs" seconds
// after the pod completes, so no case holds that log after completion.)
func restartedRunStays(t *testing.T, cs kubernetes.Interface, ns string, m cluster.Machine) {
	const works = 8 * time.Second
	createJob(t, cs, ns, appJob("import", corev1.RestartPolicyOnFailure, 2, jobEnv(works.String())...))
	victim := runningPod(t, cs, ns, "import")
	if err := m.KillContainer(context.Background(), ns, victim.Name, "app"); err != nil {
		t.Fatalf("kill: %v", err)
	}
	var prev string
	Eventually(t, time.Minute, "the killed container restarted in its pod, logs --previous the killed run", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, victim.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		c, _ := appStatus(p)
		if c.RestartCount != 1 || c.State.Running == nil {
			return false, describe([]corev1.Pod{*p})
		}
		out, err := cs.CoreV1().Pods(ns).GetLogs(victim.Name, &corev1.PodLogOptions{Container: "app", Previous: true}).DoRaw(ctx)
		prev = string(out)
		return err == nil, fmt.Sprintf("%s; logs --previous: %v %s", describe([]corev1.Pod{*p}), err, out)
	})
	if !strings.Contains(prev, workload.LogWorking(works)) || strings.Contains(prev, jobMessage) {
		t.Errorf("logs --previous are not the killed run's (working, never done):\n%s", prev)
	}
	var done corev1.Pod
	Eventually(t, 2*time.Minute, "the pod Succeeded after one restart", func(ctx context.Context) (bool, string) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, victim.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		done = *p
		return p.Status.Phase == corev1.PodSucceeded, describe([]corev1.Pod{*p})
	})
	c, _ := appStatus(&done)
	last := c.LastTerminationState.Terminated
	if c.RestartCount != 1 || last == nil || last.ExitCode != 137 {
		t.Fatalf("completed pod: restarts %d, last state %+v; want 1 restart and the killed run's exit code 137", c.RestartCount, last)
	}
	if now := c.State.Terminated; now == nil || now.ExitCode != 0 || now.Reason != "Completed" {
		t.Errorf("completed pod's state %+v, want terminated, exit code 0, Completed", c.State)
	}
	if cur := logs(t, cs, ns, done.Name, false); !strings.Contains(cur, jobMessage) {
		t.Errorf("logs of the completed run lack %q:\n%s", jobMessage, cur)
	}
	Eventually(t, 30*time.Second, "job import Complete", func(ctx context.Context) (bool, string) {
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, "import", metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		return jobCondition(j, batchv1.JobComplete) && j.Status.Succeeded == 1, fmt.Sprintf("%+v", j.Status)
	})
}
