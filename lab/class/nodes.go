package class

import (
	"context"
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeReaderRole is the one cluster-wide thing a class makes, with its
// bindings: learners may read the cluster's nodes (the first lessons count
// them and see where pods run) and StorageClasses (the storage lesson uses
// the default one), nothing more. Its name carries the class's,
// so classes never share it.
func NodeReaderRole(class string) string { return "kubelab-" + class + "-node-reader" }

func nodeReaderRole(class string) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{ObjectMeta: meta(class, "", PartAccess, "", NodeReaderRole(class)), Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{"storage.k8s.io"}, Resources: []string{"storageclasses"}, Verbs: []string{"get", "list", "watch"}},
	}}
}

func nodeReaderBinding(class, learner string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		ObjectMeta: meta(class, learner, PartAccess, "", NodeReaderRole(class)+"-"+learner),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: NodeReaderRole(class)},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: HomeNamespace(class, learner), Name: LearnerServiceAccount}},
	}
}

// deleteClusterObjects removes the node reader role and bindings of class.
func deleteClusterObjects(ctx context.Context, cs kubernetes.Interface, class string) (int, error) {
	sel := metav1.ListOptions{LabelSelector: Selector(class)}
	n := 0
	bindings, err := cs.RbacV1().ClusterRoleBindings().List(ctx, sel)
	if err != nil {
		return 0, fmt.Errorf("list class %s's cluster role bindings: %w", class, err)
	}
	for _, b := range bindings.Items {
		if err := cs.RbacV1().ClusterRoleBindings().Delete(ctx, b.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return n, fmt.Errorf("delete cluster role binding %s: %w", b.Name, err)
		}
		n++
	}
	roles, err := cs.RbacV1().ClusterRoles().List(ctx, sel)
	if err != nil {
		return n, fmt.Errorf("list class %s's cluster roles: %w", class, err)
	}
	for _, r := range roles.Items {
		if err := cs.RbacV1().ClusterRoles().Delete(ctx, r.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return n, fmt.Errorf("delete cluster role %s: %w", r.Name, err)
		}
		n++
	}
	return n, nil
}
