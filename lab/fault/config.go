package fault

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newDeleteConfigMap(p params) (Fault, error) { return &deleteConfigMap{name: p["name"]}, nil }

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
