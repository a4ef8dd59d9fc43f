package fault

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

func newDeletePods(p params) (Fault, error) {
	r, err := p.rounds(0, 5*time.Second)
	return &deletePods{selector: p["selector"], rounds: r}, err
}

func newKillContainer(p params) (Fault, error) {
	r, err := p.rounds(1, 10*time.Second)
	return &killContainer{selector: p["selector"], container: p["container"], rounds: r}, err
}

type deletePods struct {
	selector string
	rounds
}

func (f *deletePods) Describe() string {
	what := "all pods"
	if f.count > 0 {
		what = fmt.Sprintf("%d pod(s)", f.count)
	}
	return f.rounds.describe(fmt.Sprintf("kubelab deleted %s with %s", what, f.selector))
}

func (f *deletePods) Inject(ctx context.Context, env Env) error {
	return f.rounds.run(ctx, env, func() error {
		pods, err := env.Client.CoreV1().Pods(env.Namespace).List(ctx, metav1.ListOptions{LabelSelector: f.selector})
		if err != nil {
			return err
		}
		var live []corev1.Pod
		for _, p := range pods.Items {
			if p.DeletionTimestamp == nil {
				live = append(live, p)
			}
		}
		rand.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
		if f.count > 0 && len(live) > f.count {
			live = live[:f.count]
		}
		for _, p := range live {
			if err := env.Client.CoreV1().Pods(env.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return err
			}
		}
		return nil
	})
}

// killContainer kills containers' processes on their nodes.
type killContainer struct {
	selector, container string
	rounds
}

func (f *killContainer) Describe() string {
	what := "a container"
	if f.container != "" {
		what = "container " + f.container
	}
	return f.rounds.describe(fmt.Sprintf("kubelab killed %s in %d pod(s) with %s", what, f.count, f.selector))
}

// startWait bounds how long a fault waits for something to act on: a
// step's setup has just been applied and its containers may still start.
const startWait = time.Minute

// absentWait bounds how long a fault waits when nothing at all matches
// what it acts on: a step's setup creates its objects at once, so a fault
// whose selector matches nothing for this long will not strike.
const absentWait = 10 * time.Second

var errNoMatch = errors.New("nothing matches")

// victim is a pod, as it was before its container was killed.
type victim struct {
	pod       *corev1.Pod
	container string
}

func (f *killContainer) Inject(ctx context.Context, env Env) error {
	if env.Machine == nil {
		return fmt.Errorf("this cluster cannot kill containers")
	}
	return f.rounds.run(ctx, env, func() error {
		victims, err := f.running(ctx, env)
		if err != nil {
			return err
		}
		for _, v := range victims {
			if err := env.Machine.KillContainer(ctx, env.Namespace, v.pod.Name, v.container); err != nil {
				return err
			}
			if err := waitRestarted(ctx, env, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// restarts is a container's restart count in a pod (-1: no such container).
func restarts(p *corev1.Pod, container string) int32 {
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == container {
			return c.RestartCount
		}
	}
	return -1
}

// stopped reports whether a container of p has ended and will not be
// restarted in it (restartPolicy Never: the pod fails, a Job makes a new one).
func stopped(p *corev1.Pod, container string) bool {
	if p.Spec.RestartPolicy != corev1.RestartPolicyNever {
		return false
	}
	for _, c := range p.Status.ContainerStatuses {
		if c.Name == container {
			return c.State.Terminated != nil
		}
	}
	return false
}

// waitRestarted waits until the kubelet has noticed that a container died
// (a real one polls its runtime every second or so): its restart count has
// gone up, or, in a pod with restartPolicy Never, the container has ended. Only then has the fault struck for the learner, who sees the
// restart and the last state with `kubectl describe pod`.
func waitRestarted(ctx context.Context, env Env, v victim) error {
	was := restarts(v.pod, v.container)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, observeWait, true, func(ctx context.Context) (bool, error) {
		p, err := env.Client.CoreV1().Pods(env.Namespace).Get(ctx, v.pod.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && (p.UID != v.pod.UID || p.DeletionTimestamp != nil)) {
			return true, nil // gone meanwhile: nothing left to restart
		}
		return err == nil && (restarts(p, v.container) > was || stopped(p, v.container)), nil
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fmt.Errorf("container %s of pod %s was killed but not restarted within %s", v.container, v.pod.Name, observeWait)
}

// running waits until pods matching the selector have the container
// running, then picks up to count of them.
func (f *killContainer) running(ctx context.Context, env Env) ([]victim, error) {
	var found []victim
	began, matched := time.Now(), false
	var listErr error
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, startWait, true, func(ctx context.Context) (bool, error) {
		pods, err := env.Client.CoreV1().Pods(env.Namespace).List(ctx, metav1.ListOptions{LabelSelector: f.selector})
		if err != nil {
			listErr = err // the API server may be busy: try again until the wait ends
			return false, nil
		}
		if len(pods.Items) > 0 {
			matched = true
		} else if !matched && time.Since(began) > absentWait {
			return false, errNoMatch
		}
		found = found[:0]
		for i := range pods.Items {
			p := &pods.Items[i]
			if p.DeletionTimestamp != nil || len(p.Spec.Containers) == 0 {
				continue
			}
			name := f.container
			if name == "" {
				name = p.Spec.Containers[0].Name
			}
			for _, c := range p.Status.ContainerStatuses {
				if c.Name == name && c.State.Running != nil {
					found = append(found, victim{p, name})
				}
			}
		}
		return len(found) > 0, nil
	})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, errNoMatch):
		return nil, fmt.Errorf("no pod has the labels %s, so there is no container to kill", f.selector)
	case wait.Interrupted(err) && listErr != nil && !matched:
		return nil, fmt.Errorf("the cluster did not answer while kubelab looked for pods with %s", f.selector)
	case wait.Interrupted(err):
		return nil, fmt.Errorf("no pod with %s has a running container to kill", f.selector)
	case err != nil:
		return nil, err
	}
	rand.Shuffle(len(found), func(i, j int) { found[i], found[j] = found[j], found[i] })
	return found[:min(f.count, len(found))], nil
}
