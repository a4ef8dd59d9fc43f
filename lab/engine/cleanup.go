package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/progress"
)

// Reset puts the current step back to its start: everything in the lesson's
// namespace is deleted and the step's setup reapplied. The namespace itself
// stays: Kubernetes waits a fixed 5 s before it deletes a namespace's
// content, and emptying it directly takes under a second. The hints shown
// stay shown: reset puts the cluster back, not what the learner has read.
func (s *Session) Reset(ctx context.Context) error {
	i, _ := s.Step()
	if i < 0 {
		return errors.New("no step is running")
	}
	s.stop()
	if err := s.wipe(ctx); err != nil {
		return err
	}
	if err := s.tidyCluster(ctx); err != nil {
		return err
	}
	s.record(func(_ *progress.Lesson, st *progress.Step) { st.Resets++ })
	s.logEvent("reset", "")
	return s.start(ctx, i, true)
}

// empty stops the step and empties the namespace, keeping it, with what
// the lesson left outside it: a proof's next case starts from nothing.
func (s *Session) empty(ctx context.Context) error {
	s.stop()
	if err := s.wipe(ctx); err != nil {
		return err
	}
	return s.tidyCluster(ctx)
}

// Cleanup removes the lesson's namespace and what its steps left outside it.
func (s *Session) Cleanup(ctx context.Context) error {
	s.stop()
	if s.cfg.Shared { // the class's namespace stays: empty it
		return s.wipe(ctx)
	}
	if err := s.deleteNamespace(ctx); err != nil {
		return err
	}
	return s.tidyCluster(ctx)
}

// tidyCluster undoes what the lesson did outside its namespace: nodes its
// faults stopped run again, and PersistentVolumes its setup created or its
// claims used are deleted (a Released volume could not be bound again).
func (s *Session) tidyCluster(ctx context.Context) error {
	if s.cfg.Shared { // nothing outside the namespace is the learner's
		return nil
	}
	if s.cfg.Machine != nil {
		for _, node := range nodesTakenDown(s.Lesson) {
			if err := s.cfg.Machine.SetNodeRunning(ctx, node, true); err != nil {
				return fmt.Errorf("start node %s again: %w", node, err)
			}
		}
	}
	pvs, err := s.cfg.Client.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list persistent volumes: %w", err)
	}
	ns := s.Namespace()
	for _, pv := range pvs.Items {
		if pv.Labels[LabelNamespace] == ns || (pv.Spec.ClaimRef != nil && pv.Spec.ClaimRef.Namespace == ns) {
			if err := s.cfg.Client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("delete persistent volume %s: %w", pv.Name, err)
			}
		}
	}
	// The other cluster-wide kinds a lesson may create (lab/policy).
	mine := metav1.ListOptions{LabelSelector: LabelNamespace + "=" + ns}
	if err := s.cfg.Client.StorageV1().StorageClasses().DeleteCollection(ctx, metav1.DeleteOptions{}, mine); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete the lesson's storage classes: %w", err)
	}
	if err := s.cfg.Client.NetworkingV1().IngressClasses().DeleteCollection(ctx, metav1.DeleteOptions{}, mine); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete the lesson's ingress classes: %w", err)
	}
	return nil
}

// LabelNamespace marks cluster-wide objects a lesson's setup created with
// the lesson's namespace, so that reset and cleanup find them.
const LabelNamespace = "kubelab.dev/namespace"

// deleteNamespaceLater asks for the namespace's deletion and does not wait.
func (s *Session) deleteNamespaceLater(ctx context.Context) {
	policy := metav1.DeletePropagationBackground
	_ = s.cfg.Client.CoreV1().Namespaces().Delete(ctx, s.Namespace(), metav1.DeleteOptions{PropagationPolicy: &policy})
}

// terminateWait is how long a namespace may take to go: seconds on a quiet
// cluster, over a minute on a busy 2-core machine running many proofs.
const terminateWait = 3 * time.Minute

func (s *Session) deleteNamespace(ctx context.Context) error {
	policy := metav1.DeletePropagationBackground
	err := s.cfg.Client.CoreV1().Namespaces().Delete(ctx, s.Namespace(), metav1.DeleteOptions{PropagationPolicy: &policy})
	if apierrors.IsNotFound(err) {
		return nil
	}
	// Conflict: it is already being deleted; wait for it below.
	if err != nil && !apierrors.IsConflict(err) {
		return fmt.Errorf("delete namespace %s: %w", s.Namespace(), err)
	}
	// A terminating namespace takes no new objects; its pods would still
	// wait out their grace period, so end them now, as `--force` would.
	zero := int64(0)
	deadline := time.Now().Add(terminateWait)
	for {
		ns, err := s.cfg.Client.CoreV1().Namespaces().Get(ctx, s.Namespace(), metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		_ = s.cfg.Client.CoreV1().Pods(s.Namespace()).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s is still terminating after %v%s", s.Namespace(), terminateWait, terminatingWhy(ns))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond): // a busy API server needs no more
		}
	}
}

// terminatingWhy is what the namespace controller says still holds a
// namespace ("": nothing said).
func terminatingWhy(ns *corev1.Namespace) string {
	if ns == nil {
		return ""
	}
	var why []string
	for _, c := range ns.Status.Conditions {
		if c.Status == corev1.ConditionTrue && c.Message != "" {
			why = append(why, c.Message)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return " (" + strings.Join(why, "; ") + ")"
}
