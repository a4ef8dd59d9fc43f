package class

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// create makes obj unless an object of its name exists: a class that is
// created again changes nothing it made before.
func create(ctx context.Context, cs kubernetes.Interface, obj any) error {
	var err error
	var what string
	o := metav1.CreateOptions{}
	switch v := obj.(type) {
	case *corev1.ServiceAccount:
		what = "service account " + v.Namespace + "/" + v.Name
		_, err = cs.CoreV1().ServiceAccounts(v.Namespace).Create(ctx, v, o)
	case *corev1.ConfigMap:
		what = "config map " + v.Namespace + "/" + v.Name
		_, err = cs.CoreV1().ConfigMaps(v.Namespace).Create(ctx, v, o)
	case *corev1.ResourceQuota:
		what = "resource quota " + v.Namespace + "/" + v.Name
		_, err = cs.CoreV1().ResourceQuotas(v.Namespace).Create(ctx, v, o)
	case *corev1.LimitRange:
		what = "limit range " + v.Namespace + "/" + v.Name
		_, err = cs.CoreV1().LimitRanges(v.Namespace).Create(ctx, v, o)
	case *rbacv1.Role:
		what = "role " + v.Namespace + "/" + v.Name
		_, err = cs.RbacV1().Roles(v.Namespace).Create(ctx, v, o)
	case *rbacv1.RoleBinding:
		what = "role binding " + v.Namespace + "/" + v.Name
		_, err = cs.RbacV1().RoleBindings(v.Namespace).Create(ctx, v, o)
	case *rbacv1.ClusterRole:
		what = "cluster role " + v.Name
		_, err = cs.RbacV1().ClusterRoles().Create(ctx, v, o)
	case *rbacv1.ClusterRoleBinding:
		what = "cluster role binding " + v.Name
		_, err = cs.RbacV1().ClusterRoleBindings().Create(ctx, v, o)
	default:
		return fmt.Errorf("class: cannot create a %T", obj)
	}
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create %s: %w", what, err)
	}
	return nil
}
