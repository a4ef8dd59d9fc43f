package fault

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func newUnbindablePVC(p params) (Fault, error) {
	size := p["size"]
	if size == "" {
		size = "1Gi"
	}
	class := p["storage_class"]
	if class == "" {
		class = "fast-ssd"
	}
	return &unbindablePVC{name: p["name"], size: size, class: class}, nil
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
