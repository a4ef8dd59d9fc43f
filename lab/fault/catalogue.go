package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubelab/kubelab/lab/workload"
)

func init() {
	register("delete-pods", kind{
		doc:      "delete pods matching selector: count of them (default all), times rounds every apart (default once)",
		required: []string{"selector"},
		optional: []string{"count", "times", "every"},
		build: func(p params) (Fault, error) {
			r, err := p.rounds(0, 5*time.Second)
			return &deletePods{selector: p["selector"], rounds: r}, err
		},
	})
	register("kill-container", kind{
		doc:      "kill the process of a running container (default the first) in count pods matching selector (default 1), times rounds every apart: exit code 137, the kubelet restarts it in the same pod",
		required: []string{"selector"},
		optional: []string{"container", "count", "times", "every"},
		build: func(p params) (Fault, error) {
			r, err := p.rounds(1, 10*time.Second)
			return &killContainer{selector: p["selector"], container: p["container"], rounds: r}, err
		},
	})
	register("bad-image", kind{
		doc:      "roll out an image that does not exist to a deployment's first container (default kubelab/app:v9)",
		required: []string{"deployment"},
		optional: []string{"image"},
		build: func(p params) (Fault, error) {
			img := p["image"]
			if img == "" {
				img = "kubelab/app:v9"
			}
			return &patchFault{kindPath: "deployments", name: p["deployment"], describe: fmt.Sprintf("deployment/%s was rolled out with image %s", p["deployment"], img),
				patch: func(ctx context.Context, env Env) ([]byte, error) {
					return containerPatch(ctx, env, p["deployment"], map[string]any{"image": img})
				}}, nil
		},
	})
	register("crash-container", kind{
		doc:      "make a deployment's first container crash after seconds (default 2s)",
		required: []string{"deployment"},
		optional: []string{"after"},
		build: func(p params) (Fault, error) {
			after := p["after"]
			if after == "" {
				after = "2s"
			}
			env := []map[string]any{{"name": workload.EnvCrashAfter, "value": after}}
			return &patchFault{kindPath: "deployments", name: p["deployment"], describe: fmt.Sprintf("deployment/%s's container now crashes after %s", p["deployment"], after),
				patch: func(ctx context.Context, e Env) ([]byte, error) {
					return containerPatch(ctx, e, p["deployment"], map[string]any{"env": env})
				}}, nil
		},
	})
	register("break-selector", kind{
		doc:      "change a service's selector so it matches no pods (value defaults to the old value plus -typo)",
		required: []string{"service"},
		optional: []string{"label", "value"},
		build: func(p params) (Fault, error) {
			return &patchFault{kindPath: "services", name: p["service"], describe: fmt.Sprintf("service/%s's selector was changed", p["service"]),
				patch: func(ctx context.Context, env Env) ([]byte, error) {
					svc, err := env.Client.CoreV1().Services(env.Namespace).Get(ctx, p["service"], metav1.GetOptions{})
					if err != nil {
						return nil, err
					}
					label := p["label"]
					if label == "" {
						for k := range svc.Spec.Selector {
							label = k
							break
						}
					}
					value := p["value"]
					if value == "" {
						value = svc.Spec.Selector[label] + "-typo"
					}
					return []byte(fmt.Sprintf(`{"spec":{"selector":{%q:%q}}}`, label, value)), nil
				}}, nil
		},
	})
	register("wrong-target-port", kind{
		doc:      "point a service's first port at a port the pods do not listen on (default 9999)",
		required: []string{"service"},
		optional: []string{"port"},
		build: func(p params) (Fault, error) {
			port, err := p.int("port", 9999)
			if err != nil {
				return nil, err
			}
			return &patchFault{kindPath: "services", name: p["service"], describe: fmt.Sprintf("service/%s now sends traffic to port %d", p["service"], port),
				patch: func(ctx context.Context, env Env) ([]byte, error) {
					svc, err := env.Client.CoreV1().Services(env.Namespace).Get(ctx, p["service"], metav1.GetOptions{})
					if err != nil {
						return nil, err
					}
					if len(svc.Spec.Ports) == 0 {
						return nil, fmt.Errorf("service/%s has no ports", p["service"])
					}
					ports := svc.Spec.Ports
					ports[0].TargetPort.IntVal, ports[0].TargetPort.Type, ports[0].TargetPort.StrVal = int32(port), 0, ""
					return jsonPatch(map[string]any{"spec": map[string]any{"ports": ports}})
				}}, nil
		},
	})
	register("scale-to-zero", kind{
		doc:      "scale a deployment to zero replicas",
		required: []string{"deployment"},
		build: func(p params) (Fault, error) {
			return &patchFault{kindPath: "deployments", name: p["deployment"], describe: fmt.Sprintf("deployment/%s was scaled to 0", p["deployment"]),
				patch: func(context.Context, Env) ([]byte, error) { return []byte(`{"spec":{"replicas":0}}`), nil }}, nil
		},
	})
	register("delete-configmap", kind{
		doc:      "delete a ConfigMap",
		required: []string{"name"},
		build:    func(p params) (Fault, error) { return &deleteConfigMap{name: p["name"]}, nil },
	})
	register("node-down", kind{
		doc:      "stop a lab node's kubelet; with for, start it again after that long",
		required: []string{"node"},
		optional: []string{"for"},
		build: func(p params) (Fault, error) {
			node, err := p.node("node")
			if err != nil {
				return nil, err
			}
			d, err := p.duration("for", 0)
			if err != nil {
				return nil, err
			}
			return &nodeDown{node: node, for_: d}, nil
		},
	})
	register("unbindable-pvc", kind{
		doc:      "create a claim named name that cannot bind (a storage class that does not exist)",
		required: []string{"name"},
		optional: []string{"size", "storage_class"},
		build: func(p params) (Fault, error) {
			size := p["size"]
			if size == "" {
				size = "1Gi"
			}
			class := p["storage_class"]
			if class == "" {
				class = "fast-ssd"
			}
			return &unbindablePVC{name: p["name"], size: size, class: class}, nil
		},
	})
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

// waitRestarted waits until the kubelet has noticed that a container died
// (a real one polls its runtime every second or so): its restart count has
// gone up. Only then has the fault struck for the learner, who sees the
// restart and the last state with `kubectl describe pod`.
func waitRestarted(ctx context.Context, env Env, v victim) error {
	was := restarts(v.pod, v.container)
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, observeWait, true, func(ctx context.Context) (bool, error) {
		p, err := env.Client.CoreV1().Pods(env.Namespace).Get(ctx, v.pod.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) || (err == nil && (p.UID != v.pod.UID || p.DeletionTimestamp != nil)) {
			return true, nil // gone meanwhile: nothing left to restart
		}
		return err == nil && restarts(p, v.container) > was, nil
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
	err := wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, startWait, true, func(ctx context.Context) (bool, error) {
		pods, err := env.Client.CoreV1().Pods(env.Namespace).List(ctx, metav1.ListOptions{LabelSelector: f.selector})
		if err != nil {
			return false, err
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
	case wait.Interrupted(err):
		return nil, fmt.Errorf("no pod with %s has a running container to kill", f.selector)
	case err != nil:
		return nil, err
	}
	rand.Shuffle(len(found), func(i, j int) { found[i], found[j] = found[j], found[i] })
	return found[:min(f.count, len(found))], nil
}

// patchFault applies a strategic merge patch to one object.
type patchFault struct {
	kindPath, name, describe string
	patch                    func(ctx context.Context, env Env) ([]byte, error)
}

func (f *patchFault) Describe() string { return f.describe }

func (f *patchFault) Inject(ctx context.Context, env Env) error {
	if f.kindPath == "deployments" {
		// A step's setup may have created the deployment a moment ago: let
		// its controller make the ReplicaSet of the good template first, so
		// that the bad revision follows a good one in the rollout history.
		waitObserved(ctx, env, f.name)
	}
	data, err := f.patch(ctx, env)
	if err != nil {
		return err
	}
	switch f.kindPath {
	case "deployments":
		if _, err = env.Client.AppsV1().Deployments(env.Namespace).Patch(ctx, f.name, types.StrategicMergePatchType, data, metav1.PatchOptions{}); err == nil {
			waitObserved(ctx, env, f.name)
		}
	case "services":
		_, err = env.Client.CoreV1().Services(env.Namespace).Patch(ctx, f.name, types.StrategicMergePatchType, data, metav1.PatchOptions{})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.describe, err)
	}
	return nil
}

// observeWait bounds how long a deployment fault waits for its controller.
const observeWait = 30 * time.Second

// waitObserved waits until the deployment controller has seen the
// deployment's current template (and so made its ReplicaSet). Until a
// patched template is observed the fault has not really happened: `kubectl
// rollout undo` run in that window goes back to the revision before the
// last one, not to the one before the fault. It gives up quietly after
// observeWait: the fault goes ahead either way.
func waitObserved(ctx context.Context, env Env, name string) {
	_ = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, observeWait, true, func(ctx context.Context) (bool, error) {
		d, err := env.Client.AppsV1().Deployments(env.Namespace).Get(ctx, name, metav1.GetOptions{})
		return err == nil && d.Status.ObservedGeneration >= d.Generation, nil
	})
}

// containerPatch patches fields of a deployment's first container.
func containerPatch(ctx context.Context, env Env, deployment string, fields map[string]any) ([]byte, error) {
	d, err := env.Client.AppsV1().Deployments(env.Namespace).Get(ctx, deployment, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	if len(d.Spec.Template.Spec.Containers) == 0 {
		return nil, fmt.Errorf("deployment/%s has no containers", deployment)
	}
	c := map[string]any{"name": d.Spec.Template.Spec.Containers[0].Name}
	for k, v := range fields {
		c[k] = v
	}
	return jsonPatch(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{c}}}}})
}

type deleteConfigMap struct{ name string }

func (f *deleteConfigMap) Describe() string {
	return fmt.Sprintf("kubelab deleted configmap/%s", f.name)
}

func (f *deleteConfigMap) Inject(ctx context.Context, env Env) error {
	err := env.Client.CoreV1().ConfigMaps(env.Namespace).Delete(ctx, f.name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

type nodeDown struct {
	node string
	for_ time.Duration
}

func (f *nodeDown) Describe() string {
	s := fmt.Sprintf("node %s went down", f.node)
	if f.for_ > 0 {
		s += fmt.Sprintf(" for %s", f.for_)
	}
	return s
}

func (f *nodeDown) Inject(ctx context.Context, env Env) error {
	if env.Machine == nil {
		return fmt.Errorf("this cluster cannot take nodes down")
	}
	if err := env.Machine.SetNodeRunning(ctx, f.node, false); err != nil {
		return err
	}
	env.struck()
	if f.for_ == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
	case <-time.After(f.for_):
	}
	// Bring it back even if the step ended meanwhile: never leave a node down.
	return env.Machine.SetNodeRunning(context.WithoutCancel(ctx), f.node, true)
}

type unbindablePVC struct{ name, size, class string }

func (f *unbindablePVC) Describe() string {
	return fmt.Sprintf("persistentvolumeclaim/%s asks for storage class %q", f.name, f.class)
}

func (f *unbindablePVC) Inject(ctx context.Context, env Env) error {
	size, err := resource.ParseQuantity(f.size)
	if err != nil {
		return fmt.Errorf("size %q: %w", f.size, err)
	}
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: f.name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			StorageClassName: &f.class,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
	_, err = env.Client.CoreV1().PersistentVolumeClaims(env.Namespace).Create(ctx, pvc, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
