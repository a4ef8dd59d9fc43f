package class

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Delete removes class: every namespace labelled as its (Selector), and
// with them everything in them, learners' work included, and the one
// cluster-wide role (and its bindings) it made, to read nodes. Nothing else
// is touched. With wait, it returns once the namespaces are gone. It returns
// how many namespaces it deleted.
func Delete(ctx context.Context, cs kubernetes.Interface, class string, wait bool) (int, error) {
	if err := ValidName("class", class, MaxClassName); err != nil {
		return 0, err
	}
	list, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: Selector(class)})
	if err != nil {
		return 0, fmt.Errorf("list class %s's namespaces: %w", class, err)
	}
	if _, err := deleteClusterObjects(ctx, cs, class); err != nil {
		return 0, err
	}
	policy := metav1.DeletePropagationBackground
	for _, ns := range list.Items {
		err := cs.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{PropagationPolicy: &policy})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			return 0, fmt.Errorf("delete namespace %s: %w", ns.Name, err)
		}
	}
	if !wait {
		return len(list.Items), nil
	}
	for {
		left, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: Selector(class)})
		if err == nil && len(left.Items) == 0 {
			return len(list.Items), nil
		}
		select {
		case <-ctx.Done():
			return len(list.Items), fmt.Errorf("class %s's namespaces are still being deleted: %w", class, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
