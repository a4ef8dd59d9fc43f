package simnode

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
)

// eventRecorder emits the Events a real kubelet would as simulated pods change:
// Pulled, Created and Started; Failed and BackOff while an image cannot be
// pulled; BackOff for a crash loop; Unhealthy for a failing readiness probe;
// Killing on delete. (The probes of a hung app record their own: hang.go.) Learners read them with `kubectl describe` and `get events`.
type eventRecorder struct {
	broadcaster record.EventBroadcaster
	mu          sync.Mutex
	byNode      map[string]record.EventRecorder
}

func newEventRecorder(cs kubernetes.Interface) *eventRecorder {
	b := record.NewBroadcaster()
	b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	return &eventRecorder{broadcaster: b, byNode: map[string]record.EventRecorder{}}
}

func (r *eventRecorder) stop() { r.broadcaster.Shutdown() }

func (r *eventRecorder) recorder(node string) record.EventRecorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.byNode[node]
	if !ok {
		rec = r.broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: node})
		r.byNode[node] = rec
	}
	return rec
}

func (r *eventRecorder) handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(oldObj, newObj any) {
			oldPod, ok1 := oldObj.(*corev1.Pod)
			newPod, ok2 := newObj.(*corev1.Pod)
			if ok1 && ok2 && newPod.Spec.NodeName != "" {
				r.observe(oldPod, newPod)
			}
		},
	}
}

func (r *eventRecorder) observe(oldPod, pod *corev1.Pod) {
	rec := r.recorder(pod.Spec.NodeName)
	if pod.DeletionTimestamp != nil && oldPod.DeletionTimestamp == nil {
		for _, c := range pod.Status.ContainerStatuses {
			if c.State.Running != nil {
				rec.Eventf(pod, corev1.EventTypeNormal, "Killing", "Stopping container %s", c.Name)
			}
		}
		return
	}
	for _, c := range pod.Status.ContainerStatuses {
		was, _ := containerStatus(oldPod, c.Name)
		r.observeContainer(rec, pod, was, c)
	}
}

func (r *eventRecorder) observeContainer(rec record.EventRecorder, pod *corev1.Pod, was, now corev1.ContainerStatus) {
	reason := func(s corev1.ContainerStatus) string {
		if s.State.Waiting != nil {
			return s.State.Waiting.Reason
		}
		return ""
	}
	switch {
	case now.State.Running != nil && (was.State.Running == nil || now.RestartCount != was.RestartCount):
		rec.Eventf(pod, corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine", now.Image)
		rec.Eventf(pod, corev1.EventTypeNormal, "Created", "Created container: %s", now.Name)
		rec.Eventf(pod, corev1.EventTypeNormal, "Started", "Started container %s", now.Name)
		if !now.Ready && hasReadinessProbe(pod, now.Name) {
			rec.Eventf(pod, corev1.EventTypeWarning, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503")
		}
	case reason(now) == "ErrImagePull" && reason(was) != "ErrImagePull":
		rec.Eventf(pod, corev1.EventTypeNormal, "Pulling", "Pulling image %q", now.Image)
		rec.Eventf(pod, corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %s", now.Image, now.State.Waiting.Message)
		rec.Eventf(pod, corev1.EventTypeWarning, "Failed", "Error: ErrImagePull")
	case reason(now) == "ImagePullBackOff" && reason(was) != "ImagePullBackOff":
		rec.Eventf(pod, corev1.EventTypeNormal, "BackOff", "Back-off pulling image %q", now.Image)
		rec.Eventf(pod, corev1.EventTypeWarning, "Failed", "Error: ImagePullBackOff")
	case reason(now) == "CreateContainerConfigError" && (reason(was) != reason(now) || now.State.Waiting.Message != was.State.Waiting.Message):
		rec.Eventf(pod, corev1.EventTypeWarning, "Failed", "Error: %s", now.State.Waiting.Message)
	case reason(now) == "ContainerCreating" && now.State.Waiting.Message != "" && (was.State.Waiting == nil || now.State.Waiting.Message != was.State.Waiting.Message):
		rec.Eventf(pod, corev1.EventTypeWarning, "FailedMount", "%s", now.State.Waiting.Message)
	case reason(now) == "CrashLoopBackOff" && (reason(was) != "CrashLoopBackOff" || now.RestartCount != was.RestartCount):
		rec.Eventf(pod, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container %s in pod %s", now.Name, describePod(pod))
	}
}

func hasReadinessProbe(pod *corev1.Pod, name string) bool {
	c, ok := findContainer(pod, name)
	return ok && c.ReadinessProbe != nil
}

func describePod(pod *corev1.Pod) string {
	return fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
}
