package simnode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	listerscorev1 "k8s.io/client-go/listers/core/v1"

	"github.com/kubelab/kubelab/lab/workload"
)

// What a kubelet's probes do to a lesson app that hangs
// (workload.EnvHangAfter), which kwok's stages cannot time (they see a pod
// change, not a clock): once the app has stopped answering for as many
// periods as a probe's failureThreshold, a readinessProbe marks the
// container not ready, and a livenessProbe has it killed (SIGTERM, which a
// hung app does not handle: exit code 143) and started again, hanging
// again after the same time. Without probes nothing notices.

// probeEvent is an Event the kubelet records about a probe.
type probeEvent struct{ kind, reason, message string }

// hangTick is how often the simulated kubelets look at hung apps.
const hangTick = 500 * time.Millisecond

// runHangs applies probeVerdict to every pod until ctx ends.
func runHangs(ctx context.Context, cs kubernetes.Interface, pods listerscorev1.PodLister, rec *eventRecorder) {
	t := time.NewTicker(hangTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			all, _ := pods.List(labels.Everything())
			for _, p := range all {
				next, events := probeVerdict(p, now)
				if next == nil {
					continue
				}
				if _, err := cs.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, next, metav1.UpdateOptions{}); err != nil {
					continue // changed meanwhile: the next tick sees the new pod
				}
				for _, e := range events {
					rec.recorder(p.Spec.NodeName).Eventf(p, e.kind, e.reason, "%s", e.message)
				}
			}
		}
	}
}

// probeVerdict is the pod as its kubelet's probes leave it at now, and the
// Events they record; nil when they change nothing.
func probeVerdict(p *corev1.Pod, now time.Time) (*corev1.Pod, []probeEvent) {
	if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || p.Spec.NodeName == "" {
		return nil, nil
	}
	next := p.DeepCopy()
	var events []probeEvent
	changed := false
	for i := range next.Status.ContainerStatuses {
		st := &next.Status.ContainerStatuses[i]
		c, ok := findContainer(p, st.Name)
		if !ok || st.State.Running == nil || !answersHTTP(c) {
			continue
		}
		env := appEnv(p, c)
		hang, err := env.HangAfter()
		if err != nil || hang == 0 {
			continue
		}
		started := st.State.Running.StartedAt.Time
		hungAt := started.Add(hang)
		ready := env(workload.EnvReady) != "false" || c.ReadinessProbe == nil
		switch {
		case failedBy(c.LivenessProbe, hungAt, now):
			events = append(events,
				probeEvent{corev1.EventTypeWarning, "Unhealthy", probeTimeout("Liveness", p, c.LivenessProbe)},
				probeEvent{corev1.EventTypeNormal, "Killing", fmt.Sprintf("Container %s failed liveness probe, will be restarted", c.Name)})
			at := metav1.NewTime(now)
			st.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: workload.HungExitCode, Reason: "Error", StartedAt: st.State.Running.StartedAt, FinishedAt: at,
				ContainerID: st.ContainerID,
			}}
			st.RestartCount++
			sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", p.UID, st.Name, st.RestartCount))
			st.ContainerID = "containerd://" + hex.EncodeToString(sum[:])
			st.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at}}
			st.Ready, changed = ready, true
		case failedBy(c.ReadinessProbe, hungAt, now):
			if st.Ready {
				events = append(events, probeEvent{corev1.EventTypeWarning, "Unhealthy", probeTimeout("Readiness", p, c.ReadinessProbe)})
				st.Ready, changed = false, true
			}
		}
	}
	if !changed {
		return nil, nil
	}
	setReady(next, now)
	return next, events
}

// answersHTTP reports whether c is the lesson app in a mode that serves.
func answersHTTP(c *corev1.Container) bool {
	repo, _ := splitImage(c.Image)
	return repo == workload.AppRepo && len(c.Command) == 0 && workload.Serves(appEnvOf(c).Mode())
}

func appEnvOf(c *corev1.Container) workload.Env { return appEnv(&corev1.Pod{}, c) }

// failedBy reports whether probe, which the app stopped answering at
// hungAt, has failed failureThreshold times in a row by now.
func failedBy(probe *corev1.Probe, hungAt, now time.Time) bool {
	if probe == nil {
		return false
	}
	period := time.Duration(orInt(probe.PeriodSeconds, 10)) * time.Second
	threshold := time.Duration(orInt(probe.FailureThreshold, 3))
	return !now.Before(hungAt.Add(threshold * period))
}

func orInt(v, def int32) int32 {
	if v > 0 {
		return v
	}
	return def
}

// probeTimeout is the kubelet's words for a probe the hung app never answers.
func probeTimeout(which string, p *corev1.Pod, probe *corev1.Probe) string {
	if probe.HTTPGet == nil {
		return which + " probe failed: command timed out"
	}
	return fmt.Sprintf("%s probe failed: Get \"http://%s:%s%s\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
		which, orDefault(p.Status.PodIP, "127.0.0.1"), probe.HTTPGet.Port.String(), orDefault(probe.HTTPGet.Path, "/"))
}

// setReady sets the pod's Ready and ContainersReady conditions from its
// containers' readiness.
func setReady(p *corev1.Pod, now time.Time) {
	all := len(p.Status.ContainerStatuses) > 0
	for _, c := range p.Status.ContainerStatuses {
		all = all && c.Ready
	}
	status, reason := corev1.ConditionTrue, ""
	if !all {
		status, reason = corev1.ConditionFalse, "ContainersNotReady"
	}
	for i := range p.Status.Conditions {
		cond := &p.Status.Conditions[i]
		if cond.Type != corev1.PodReady && cond.Type != corev1.ContainersReady {
			continue
		}
		if cond.Status != status {
			cond.LastTransitionTime = metav1.NewTime(now)
		}
		cond.Status, cond.Reason = status, reason
		cond.Message = ""
		if !all {
			cond.Message = "containers with unready status"
		}
	}
}
