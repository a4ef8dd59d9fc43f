package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// kept are objects every namespace has, which the cluster recreates anyway.
var kept = map[string][]string{
	"serviceaccounts": {"default"},
	"configmaps":      {"kube-root-ca.crt"},
}

// wipe deletes every object in the lesson's namespace (pods at once, without
// a grace period) and waits until no pod is left.
func (s *Session) wipe(ctx context.Context) error {
	lists, err := s.cfg.Client.Discovery().ServerPreferredNamespacedResources()
	if err != nil && len(lists) == 0 {
		return fmt.Errorf("list the cluster's resource kinds: %w", err)
	}
	zero := int64(0)
	background := metav1.DeletePropagationBackground
	ns := s.Namespace()
	// On a shared cluster the class's own objects (access, budget) stay.
	var mine metav1.ListOptions
	if s.cfg.Shared {
		mine.LabelSelector = "!" + ClassLabel
	}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			// Endpoints follow Services (and listing them draws a deprecation warning).
			if r.Name == "endpoints" || !slices.Contains(r.Verbs, "deletecollection") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			ri := s.cfg.Dynamic.Resource(gv.WithResource(r.Name)).Namespace(ns)
			opts := metav1.DeleteOptions{PropagationPolicy: &background}
			if r.Name == "pods" {
				opts.GracePeriodSeconds = &zero
			}
			if keep, ok := kept[r.Name]; ok {
				items, err := ri.List(ctx, mine)
				if err != nil {
					continue
				}
				for _, it := range items.Items {
					if !slices.Contains(keep, it.GetName()) {
						_ = ri.Delete(ctx, it.GetName(), opts)
					}
				}
				continue
			}
			err := ri.DeleteCollection(ctx, opts, mine)
			if s.cfg.Shared && apierrors.IsForbidden(err) { // kinds the learner may only read
				continue
			}
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
				return fmt.Errorf("empty namespace %s of %s: %w", ns, r.Name, err)
			}
		}
	}
	// Controllers may still be creating pods from objects just deleted.
	deadline := time.Now().Add(30 * time.Second)
	for {
		pods, err := s.cfg.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err == nil && len(pods.Items) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s still has pods 30s after reset", ns)
		}
		_ = s.cfg.Client.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
