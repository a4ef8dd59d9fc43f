package simnode

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubelab/kubelab/lab/workload"
)

func hungPod(readiness, liveness bool) *corev1.Pod {
	p := running("web-1", "kubelab/app:v1", corev1.EnvVar{Name: workload.EnvHangAfter, Value: "20s"})
	p.Status.Phase = corev1.PodRunning
	p.Status.ContainerStatuses[0].Ready = true
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}, {Type: corev1.ContainersReady, Status: corev1.ConditionTrue}}
	get := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(8080)}}, PeriodSeconds: 5, FailureThreshold: 2}
	}
	if readiness {
		p.Spec.Containers[0].ReadinessProbe = get("/readyz")
	}
	if liveness {
		p.Spec.Containers[0].LivenessProbe = get("/healthz")
	}
	return p
}

// The probes a hung app meets: none notices it; a readiness probe makes it
// not ready; a liveness probe has it restarted (143), answering again.
func TestProbesOfAHungApp(t *testing.T) {
	t.Parallel()
	// running() started the app a minute ago: hung for 40 s now.
	started := hungPod(false, false).Status.ContainerStatuses[0].State.Running.StartedAt.Time
	cases := []struct {
		name                string
		readiness, liveness bool
		at                  time.Time
		changes, ready      bool
		restarts            int32
	}{
		{"no probes", false, false, started.Add(time.Hour), false, true, 0},
		{"readiness, before its failures add up", true, false, started.Add(25 * time.Second), false, true, 0},
		{"readiness, after", true, false, started.Add(30 * time.Second), true, false, 0},
		{"liveness, before its failures add up", false, true, started.Add(29 * time.Second), false, true, 0},
		{"liveness, after", false, true, started.Add(30 * time.Second), true, true, 1},
		{"both", true, true, started.Add(30 * time.Second), true, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := hungPod(c.readiness, c.liveness)
			p.Status.ContainerStatuses[0].State.Running.StartedAt.Time = started
			next, events := probeVerdict(p, c.at)
			if (next != nil) != c.changes {
				t.Fatalf("changed = %v, want %v (events %v)", next != nil, c.changes, events)
			}
			if next == nil {
				return
			}
			st := next.Status.ContainerStatuses[0]
			if st.Ready != c.ready || st.RestartCount != c.restarts {
				t.Errorf("ready %v, restarts %d; want %v, %d", st.Ready, st.RestartCount, c.ready, c.restarts)
			}
			if c.restarts > 0 {
				last := st.LastTerminationState.Terminated
				if last == nil || last.ExitCode != workload.HungExitCode || st.State.Running == nil || !st.State.Running.StartedAt.Time.Equal(c.at) {
					t.Errorf("after the liveness kill: last %+v, state %+v", last, st.State)
				}
				if len(events) != 2 || events[1].reason != "Killing" {
					t.Errorf("events = %+v", events)
				}
				// Restarted, it answers again until it hangs once more.
				if again, _ := probeVerdict(next, c.at.Add(10*time.Second)); again != nil {
					t.Errorf("the restarted app changed again 10 s later: %+v", again.Status.ContainerStatuses[0])
				}
			}
			for _, cond := range next.Status.Conditions {
				if want := map[bool]corev1.ConditionStatus{true: corev1.ConditionTrue, false: corev1.ConditionFalse}[c.ready]; cond.Status != want {
					t.Errorf("condition %s = %s, want %s", cond.Type, cond.Status, want)
				}
			}
		})
	}
}
