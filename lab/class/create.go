package class

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Result is what Create made.
type Result struct {
	Class string
	// Dir is the folder the kubeconfigs were written to.
	Dir      string
	Learners []Learner
	// Expires is when the kubeconfigs written now stop working.
	Expires time.Time
}

// Learner is one learner of a Result.
type Learner struct {
	Name string
	// New: the learner was added by this Create.
	New bool
	// Kubeconfig is the file written for the learner; "" when none was
	// (an existing learner, without Spec.Reissue).
	Kubeconfig string
}

// ErrDeleting says a class of that name is still being deleted.
var ErrDeleting = errors.New("that class is still being deleted; try again in a minute")

// parallel is how many learners Create sets up at once.
const parallel = 8

// CreateQPS is the request rate a client for Create should allow (Burst
// twice that): a class is a burst of small writes, about 60 a learner with
// every lesson, and client-go's default of 5 a second would take minutes.
const CreateQPS = 300

// Create makes the class of spec on the cluster cs administers (base is its
// config: the learners' kubeconfigs get its server and CA), or adds to it:
// learners it lacks are added, with a kubeconfig each; what exists is left
// as it is, and existing learners get a new kubeconfig only with
// spec.Reissue. Every object carries the class's labels (Selector).
func Create(ctx context.Context, cs kubernetes.Interface, base *rest.Config, spec Spec) (*Result, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if err := adminReady(ctx, cs); err != nil {
		return nil, err
	}
	name := spec.Name
	cns := ClassNamespace(name)
	if err := ensureNamespace(ctx, cs, namespace(name, "", PartClass, cns)); err != nil {
		return nil, err
	}
	if err := create(ctx, cs, nodeReaderRole(name)); err != nil {
		return nil, err
	}
	// The watcher reads the class's info (its learners) and each learner's
	// home ConfigMaps; nothing else.
	for _, obj := range []any{serviceAccount(name, "", cns, WatcherServiceAccount), watcherRole(name, "", cns),
		roleBinding(name, "", cns, WatcherRole, roleRef(WatcherRole), cns, WatcherServiceAccount)} {
		if err := create(ctx, cs, obj); err != nil {
			return nil, err
		}
	}
	known, err := classLearners(ctx, cs, name)
	if err != nil {
		return nil, err
	}
	all := slices.Clone(known)
	for _, l := range spec.Learners {
		if !slices.Contains(all, l) {
			all = append(all, l)
		}
	}
	res := &Result{Class: name, Dir: spec.outDir(), Learners: make([]Learner, len(all))}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, parallel)
	for i, l := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, exp, err := addLearner(ctx, cs, base, spec, l, !slices.Contains(known, l))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("learner %s: %w", l, err))
				return
			}
			res.Learners[i] = r
			if !exp.IsZero() {
				res.Expires = exp
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, err
	}
	if err := putClassInfo(ctx, cs, name, all, spec.StorageClass); err != nil {
		return res, err
	}
	return res, nil
}

// addLearner makes what learner l lacks and, when l is new (or on
// Reissue), writes their kubeconfig.
func addLearner(ctx context.Context, cs kubernetes.Interface, base *rest.Config, spec Spec, l string, isNew bool) (Learner, time.Time, error) {
	class, home := spec.Name, HomeNamespace(spec.Name, l)
	_, err := cs.CoreV1().Namespaces().Get(ctx, home, metav1.GetOptions{})
	isNew = isNew || apierrors.IsNotFound(err)
	info := Info{Class: class, Learner: l, Lessons: map[string]string{}, StorageClass: spec.StorageClass,
		Expires: time.Now().Add(spec.duration()).UTC().Truncate(time.Second)}
	for _, id := range spec.Lessons {
		info.Lessons[id] = LessonNamespace(class, l, id)
	}
	if err := ensureNamespace(ctx, cs, namespace(class, l, PartHome, home)); err != nil {
		return Learner{}, time.Time{}, err
	}
	cm, err := infoConfigMap(class, l, home, info)
	if err != nil {
		return Learner{}, time.Time{}, err
	}
	progress := &corev1.ConfigMap{ObjectMeta: meta(class, l, PartProgress, home, ProgressConfigMap)}
	cns := ClassNamespace(class)
	for _, obj := range []any{
		serviceAccount(class, l, home, LearnerServiceAccount), cm, progress,
		learnerRole(class, l, home),
		roleBinding(class, l, home, LearnerRole, roleRef(LearnerRole), home, LearnerServiceAccount),
		watcherRole(class, l, home),
		roleBinding(class, l, home, WatcherRole, roleRef(WatcherRole), cns, WatcherServiceAccount),
	} {
		if err := create(ctx, cs, obj); err != nil {
			return Learner{}, time.Time{}, err
		}
	}
	if err := create(ctx, cs, nodeReaderBinding(class, l)); err != nil {
		return Learner{}, time.Time{}, err
	}
	for _, id := range spec.Lessons {
		ns := LessonNamespace(class, l, id)
		if err := ensureNamespace(ctx, cs, namespace(class, l, PartLesson, ns)); err != nil {
			return Learner{}, time.Time{}, err
		}
		for _, obj := range []any{
			roleBinding(class, l, ns, AdminBinding, clusterRoleRef("admin"), home, LearnerServiceAccount),
			quota(class, l, ns, spec.budget()), limitRange(class, l, ns),
		} {
			if err := create(ctx, cs, obj); err != nil {
				return Learner{}, time.Time{}, err
			}
		}
	}
	r := Learner{Name: l, New: isNew}
	if !isNew && !spec.Reissue {
		return r, time.Time{}, nil
	}
	path, exp, err := writeKubeconfig(ctx, cs, base, spec, l)
	if err != nil {
		return r, time.Time{}, err
	}
	r.Kubeconfig = path
	if !isNew { // reissued: the learner's info says until when the new file works
		if err := setExpires(ctx, cs, home, exp); err != nil {
			return r, exp, err
		}
	}
	return r, exp, nil
}

// setExpires records in the Info of home when the learner's credentials expire.
func setExpires(ctx context.Context, cs kubernetes.Interface, home string, exp time.Time) error {
	cms := cs.CoreV1().ConfigMaps(home)
	cm, err := cms.Get(ctx, InfoConfigMap, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read the info of %s: %w", home, err)
	}
	var info Info
	if err := json.Unmarshal([]byte(cm.Data[InfoKey]), &info); err != nil {
		return fmt.Errorf("read the info of %s: %w", home, err)
	}
	info.Expires = exp.UTC()
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	cm.Data[InfoKey] = string(data)
	if _, err := cms.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("record the new expiry in %s: %w", home, err)
	}
	return nil
}

// adminReady waits until the cluster's built-in ClusterRole admin, which
// learners get in their lesson namespaces, has its rules: it is aggregated
// from others by a controller, a moment after a cluster first starts.
func adminReady(ctx context.Context, cs kubernetes.Interface) error {
	deadline := time.Now().Add(time.Minute)
	for {
		r, err := cs.RbacV1().ClusterRoles().Get(ctx, "admin", metav1.GetOptions{})
		if err == nil && len(r.Rules) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("read the cluster's ClusterRole admin: %w", err)
			}
			return errors.New("the cluster's ClusterRole admin has no rules (its aggregation controller does not run?): learners would get no rights")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ensureNamespace creates ns unless it exists; one being deleted is ErrDeleting.
func ensureNamespace(ctx context.Context, cs kubernetes.Interface, ns *corev1.Namespace) error {
	_, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		if err != nil {
			return fmt.Errorf("create namespace %s: %w", ns.Name, err)
		}
		return nil
	}
	old, err := cs.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("read namespace %s: %w", ns.Name, err)
	}
	if old.DeletionTimestamp != nil {
		return ErrDeleting
	}
	if old.Labels[LabelClass] != ns.Labels[LabelClass] || old.Labels[LabelManagedBy] != ManagedBy {
		return fmt.Errorf("namespace %s exists and is not class %s's; kubelab leaves it alone: choose another class name", ns.Name, ns.Labels[LabelClass])
	}
	return nil
}

// classLearners reads the learners the class's Info names (none: a new class).
func classLearners(ctx context.Context, cs kubernetes.Interface, class string) ([]string, error) {
	info, err := ReadInfo(ctx, cs, ClassNamespace(class))
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return info.Learners, nil
}

// ReadInfo reads the Info of namespace ns (the class's or a learner's home).
func ReadInfo(ctx context.Context, cs kubernetes.Interface, ns string) (Info, error) {
	cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, InfoConfigMap, metav1.GetOptions{})
	if err != nil {
		return Info{}, err
	}
	info, err := DecodeInfo(cm)
	if err != nil {
		return Info{}, err
	}
	return *info, nil
}

func putClassInfo(ctx context.Context, cs kubernetes.Interface, class string, learners []string, storageClass string) error {
	cm, err := infoConfigMap(class, "", ClassNamespace(class), Info{Class: class, Learners: learners, StorageClass: storageClass})
	if err != nil {
		return err
	}
	cms := cs.CoreV1().ConfigMaps(cm.Namespace)
	old, err := cms.Get(ctx, InfoConfigMap, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		_, err = cms.Create(ctx, cm, metav1.CreateOptions{})
	case err == nil:
		if old.Data[InfoKey] == cm.Data[InfoKey] {
			return nil
		}
		old.Data = cm.Data
		_, err = cms.Update(ctx, old, metav1.UpdateOptions{})
	}
	if err != nil {
		return fmt.Errorf("write the class info: %w", err)
	}
	return nil
}
