package fault

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

func newBadImage(p params) (Fault, error) {
	img := p["image"]
	if img == "" {
		img = "kubelab/app:v9"
	}
	return &patchFault{kindPath: "deployments", name: p["deployment"], describe: fmt.Sprintf("deployment/%s was rolled out with image %s", p["deployment"], img),
		patch: func(ctx context.Context, env Env) ([]byte, error) {
			return containerPatch(ctx, env, p["deployment"], map[string]any{"image": img})
		}}, nil
}

func newScaleToZero(p params) (Fault, error) {
	return &patchFault{kindPath: "deployments", name: p["deployment"], describe: fmt.Sprintf("deployment/%s was scaled to 0", p["deployment"]),
		patch: func(context.Context, Env) ([]byte, error) { return []byte(`{"spec":{"replicas":0}}`), nil }}, nil
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
