package controlplane

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	schedulingv1 "k8s.io/kubernetes/pkg/apis/scheduling/v1"
	"k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy"
)

// The API server's post-start hooks that first sleep a second (wait.Poll),
// then write their objects one at a time: bootstrap creates the same objects
// at once and in parallel, so start-up need not wait for them. The hooks
// still run, and find everything in place.
const (
	hookRBAC       = "rbac/bootstrap-roles"
	hookPriorities = "scheduling/bootstrap-system-priority-classes"
)

// readyzSkippingHooks is /readyz without the checks of the hooks bootstrap
// stands in for.
const readyzSkippingHooks = "/readyz?exclude=poststarthook/" + hookRBAC + "&exclude=poststarthook/" + hookPriorities

// bootstrapWorkers is how many objects bootstrap writes at a time.
const bootstrapWorkers = 8

// bootstrap creates what the two hooks create and is not there yet: the
// bootstrap RBAC policy (the roles and bindings of the control plane's
// components and controllers, the user-facing roles), from the same source
// the rbac/bootstrap-roles hook reads, and the system priority classes. On
// a restart everything exists: five lists, no writes.
func bootstrap(ctx context.Context, cs kubernetes.Interface) error {
	have, err := existing(ctx, cs)
	if err != nil {
		return fmt.Errorf("bootstrap the cluster's roles: %w", err)
	}
	var jobs []func() error
	add := func(key string, create func() error) {
		if !have[key] {
			jobs = append(jobs, func() error { return retryUnavailable(create) })
		}
	}
	opts := metav1.CreateOptions{}
	for _, pc := range schedulingv1.SystemPriorityClasses() {
		add("pc/"+pc.Name, func() error { _, err := cs.SchedulingV1().PriorityClasses().Create(ctx, pc, opts); return err })
	}
	for _, r := range append(bootstrappolicy.ClusterRoles(), bootstrappolicy.ControllerRoles()...) {
		add("cr/"+r.Name, func() error { _, err := cs.RbacV1().ClusterRoles().Create(ctx, &r, opts); return err })
	}
	for _, b := range append(bootstrappolicy.ClusterRoleBindings(), bootstrappolicy.ControllerRoleBindings()...) {
		add("crb/"+b.Name, func() error { _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &b, opts); return err })
	}
	namespaces := map[string]bool{}
	for ns, roles := range bootstrappolicy.NamespaceRoles() {
		for _, r := range roles {
			namespaces[ns] = true
			add("r/"+ns+"/"+r.Name, func() error { _, err := cs.RbacV1().Roles(ns).Create(ctx, &r, opts); return err })
		}
	}
	for ns, bindings := range bootstrappolicy.NamespaceRoleBindings() {
		for _, b := range bindings {
			namespaces[ns] = true
			add("rb/"+ns+"/"+b.Name, func() error { _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &b, opts); return err })
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	for ns := range namespaces { // as the hook's reconciler does, before the roles in them
		if err := retryUnavailable(func() error {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, opts)
			return err
		}); err != nil {
			return fmt.Errorf("bootstrap the cluster's roles: create namespace %s: %w", ns, err)
		}
	}
	klog.Infof("kubelab: creating %d bootstrap roles, bindings and priority classes", len(jobs))
	if err := runAll(ctx, jobs, bootstrapWorkers); err != nil {
		return fmt.Errorf("bootstrap the cluster's roles: %w", err)
	}
	return nil
}

// existing names the objects of the bootstrap kinds there are, by the keys
// bootstrap uses.
func existing(ctx context.Context, cs kubernetes.Interface) (map[string]bool, error) {
	have := map[string]bool{}
	all := metav1.ListOptions{}
	pcs, err := cs.SchedulingV1().PriorityClasses().List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range pcs.Items {
		have["pc/"+o.Name] = true
	}
	crs, err := cs.RbacV1().ClusterRoles().List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range crs.Items {
		have["cr/"+o.Name] = true
	}
	crbs, err := cs.RbacV1().ClusterRoleBindings().List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range crbs.Items {
		have["crb/"+o.Name] = true
	}
	rs, err := cs.RbacV1().Roles("").List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range rs.Items {
		have["r/"+o.Namespace+"/"+o.Name] = true
	}
	rbs, err := cs.RbacV1().RoleBindings("").List(ctx, all)
	if err != nil {
		return nil, err
	}
	for _, o := range rbs.Items {
		have["rb/"+o.Namespace+"/"+o.Name] = true
	}
	return have, nil
}

// retryUnavailable runs create, retrying while the API server says it is
// unavailable (storage versions still updating), as the hooks do; an
// object that exists already (a hook was quicker) is no error.
func retryUnavailable(create func() error) error {
	err := retry.OnError(retry.DefaultBackoff, apierrors.IsServiceUnavailable, create)
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// runAll runs jobs on n workers and returns the first error.
func runAll(ctx context.Context, jobs []func() error, n int) error {
	work := make(chan func() error)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range work {
				if err := job(); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, job := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- job
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
