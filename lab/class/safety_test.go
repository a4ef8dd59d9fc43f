package class_test

import (
	"context"
	"errors"
	"testing"

	authzv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/class"
	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

func pod(name string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "kubelab/app:v1"}}}}
}

func mustForbid(t *testing.T, what string, err error) {
	t.Helper()
	if !apierrors.IsForbidden(err) {
		t.Errorf("%s: got %v, want forbidden", what, err)
	}
}

func TestLearnerCannotReachAnotherLearner(t *testing.T) {
	t.Parallel()
	res := newClass(t, "ts1", []string{"ann", "bob"}, []string{"02-pods"}, "")
	ann, _, _ := as(t, kubeconfigOf(t, res, "ann"))
	ctx := context.Background()
	own := class.LessonNamespace("ts1", "ann", "02-pods")
	if _, err := ann.CoreV1().Pods(own).Create(ctx, pod("mine"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("ann cannot create a pod in her own lesson namespace: %v", err)
	}
	bobs := class.LessonNamespace("ts1", "bob", "02-pods")
	_, err := ann.CoreV1().Pods(bobs).List(ctx, metav1.ListOptions{})
	mustForbid(t, "ann lists bob's pods", err)
	_, err = ann.CoreV1().Pods(bobs).Create(ctx, pod("theirs"), metav1.CreateOptions{})
	mustForbid(t, "ann creates a pod in bob's namespace", err)
	_, err = ann.CoreV1().ConfigMaps(class.HomeNamespace("ts1", "bob")).Get(ctx, class.ProgressConfigMap, metav1.GetOptions{})
	mustForbid(t, "ann reads bob's progress", err)
	_, err = ann.CoreV1().ConfigMaps(class.HomeNamespace("ts1", "bob")).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: class.ProgressConfigMap}}, metav1.UpdateOptions{})
	mustForbid(t, "ann writes bob's progress", err)
	// In her own home: her progress only, and her info read-only.
	home := class.HomeNamespace("ts1", "ann")
	_, err = ann.CoreV1().ConfigMaps(home).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: class.InfoConfigMap}, Data: map[string]string{class.InfoKey: "{}"}}, metav1.UpdateOptions{})
	mustForbid(t, "ann rewrites her class info", err)
	_, err = ann.CoreV1().ConfigMaps(home).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other"}}, metav1.CreateOptions{})
	mustForbid(t, "ann creates a config map in her home", err)
	_, err = ann.RbacV1().RoleBindings(home).List(ctx, metav1.ListOptions{})
	mustForbid(t, "ann lists her home's role bindings", err)
}

func TestLearnerCannotListSecretsElsewhere(t *testing.T) {
	t.Parallel()
	res := newClass(t, "ts2", []string{"ann", "bob"}, []string{"02-pods"}, "")
	ann, _, _ := as(t, kubeconfigOf(t, res, "ann"))
	ctx := context.Background()
	if _, err := ann.CoreV1().Secrets(class.LessonNamespace("ts2", "ann", "02-pods")).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("ann cannot list secrets in her own lesson namespace: %v", err)
	}
	for _, ns := range []string{"", "kube-system", "default", class.ClassNamespace("ts2"), class.HomeNamespace("ts2", "ann"), class.LessonNamespace("ts2", "bob", "02-pods")} {
		_, err := ann.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
		mustForbid(t, "ann lists secrets in namespace "+ns, err)
	}
}

func TestLearnerCannotCreateClusterObjects(t *testing.T) {
	t.Parallel()
	res := newClass(t, "ts3", []string{"ann"}, []string{"11-storage"}, "")
	ann, _, _ := as(t, kubeconfigOf(t, res, "ann"))
	ctx := context.Background()
	_, err := ann.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "lab-ts3-ann-extra"}}, metav1.CreateOptions{})
	mustForbid(t, "ann creates a namespace", err)
	_, err = ann.CoreV1().PersistentVolumes().Create(ctx, &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: "ts3-pv"},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}, AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/x"}}}}, metav1.CreateOptions{})
	mustForbid(t, "ann creates a persistent volume", err)
	_, err = ann.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "ts3-me-admin"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "lab-ts3-ann", Name: "learner"}}}, metav1.CreateOptions{})
	mustForbid(t, "ann makes herself cluster-admin", err)
	// A namespace admin may not grant more than admin either.
	_, err = ann.RbacV1().RoleBindings(class.LessonNamespace("ts3", "ann", "11-storage")).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "up"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: "lab-ts3-ann", Name: "learner"}}}, metav1.CreateOptions{})
	mustForbid(t, "ann binds cluster-admin in her namespace", err)
	// Nodes she may read (the first lessons count them), never change.
	nodes, err := ann.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("ann cannot list the nodes: %v", err)
	}
	_, err = ann.CoreV1().Nodes().Patch(ctx, nodes.Items[0].Name, types.MergePatchType, []byte(`{"metadata":{"labels":{"ann":"was-here"}}}`), metav1.PatchOptions{})
	mustForbid(t, "ann labels a node", err)
	err = ann.CoreV1().Nodes().Delete(ctx, nodes.Items[0].Name, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
	mustForbid(t, "ann deletes a node", err)
	// StorageClasses too (the storage lesson uses the default one).
	if _, err := ann.StorageV1().StorageClasses().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("ann cannot list the StorageClasses: %v", err)
	}
	_, err = ann.StorageV1().StorageClasses().Create(ctx, &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "ann-fast"}, Provisioner: "example.com/fast"},
		metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	mustForbid(t, "ann creates a StorageClass", err)
}

func TestLearnerCannotExceedQuota(t *testing.T) {
	t.Parallel()
	res := newClass(t, "ts4", []string{"ann"}, []string{"02-pods"}, "cpu=1,memory=1Gi,pods=2")
	ann, _, _ := as(t, kubeconfigOf(t, res, "ann"))
	ctx := context.Background()
	ns := class.LessonNamespace("ts4", "ann", "02-pods")
	for _, name := range []string{"a", "b"} { // no requests of their own: the LimitRange gives them some
		if _, err := ann.CoreV1().Pods(ns).Create(ctx, pod(name), metav1.CreateOptions{}); err != nil {
			t.Fatalf("pod %s within the budget: %v", name, err)
		}
	}
	_, err := ann.CoreV1().Pods(ns).Create(ctx, pod("c"), metav1.CreateOptions{})
	mustForbid(t, "a third pod over pods=2", err)
	big := pod("big")
	big.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}
	ns2 := ns // the same namespace, one pod freed
	if err := ann.CoreV1().Pods(ns2).Delete(ctx, "a", metav1.DeleteOptions{GracePeriodSeconds: new(int64)}); err != nil {
		t.Fatal(err)
	}
	_, err = ann.CoreV1().Pods(ns2).Create(ctx, big, metav1.CreateOptions{})
	mustForbid(t, "a pod asking for 4 CPUs over cpu=1", err)
	_, err = ann.CoreV1().ResourceQuotas(ns).Update(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: class.BudgetName}}, metav1.UpdateOptions{})
	mustForbid(t, "ann raises her own quota", err)
}

func TestRevokedCredentialsSayAskTheInstructor(t *testing.T) {
	t.Parallel()
	res := newClass(t, "ts5", []string{"ann"}, []string{"02-pods"}, "")
	file := kubeconfigOf(t, res, "ann")
	as(t, file) // works first
	env := clustertest.Cluster(t)
	ctx := context.Background()
	// Deleting the ServiceAccount revokes every token issued for it.
	if err := env.Client.CoreV1().ServiceAccounts("lab-ts5-ann").Delete(ctx, class.LearnerServiceAccount, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	clustertest.Eventually(t, 30e9, "the revoked token is refused", func(ctx context.Context) (bool, string) {
		_, _, err := class.Check(ctx, file)
		return errors.Is(err, class.ErrCredentials), "check: " + errString(err)
	})
	_, _, err := class.Check(ctx, file)
	var ce *class.CredentialsError
	// A token the API server does not know (as an expired one) is the same sentence.
	_, cfg, _ := as(t, kubeconfigOf(t, newClass(t, "ts5b", []string{"cat"}, []string{"02-pods"}, ""), "cat"))
	cfg.BearerToken = "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"
	if _, err := class.CheckConfig(ctx, cfg, "lab-ts5b-cat"); !errors.Is(err, class.ErrCredentials) {
		t.Fatalf("an unknown token: %v; want the one sentence", err)
	}
	if !errors.As(err, &ce) || !(apierrors.IsUnauthorized(ce.Err) || apierrors.IsForbidden(ce.Err)) || err.Error() != class.ErrCredentials.Error() {
		t.Fatalf("revoked: %v; want the one sentence, wrapping the API server's refusal", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func TestWatcherCannotWrite(t *testing.T) {
	t.Parallel()
	newClass(t, "ts6", []string{"ann"}, []string{"02-pods"}, "")
	env := clustertest.Cluster(t)
	ctx := context.Background()
	cfg, err := class.WatcherConfig(ctx, env.Client, env.Config, "ts6", 0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	home := class.HomeNamespace("ts6", "ann")
	if _, err := w.CoreV1().ConfigMaps(home).Get(ctx, class.ProgressConfigMap, metav1.GetOptions{}); err != nil {
		t.Fatalf("the watcher cannot read ann's progress: %v", err)
	}
	if info, err := class.ReadInfo(ctx, w, class.ClassNamespace("ts6")); err != nil || len(info.Learners) != 1 {
		t.Fatalf("the watcher cannot read the class's learners: %+v %v", info, err)
	}
	_, err = w.CoreV1().ConfigMaps(home).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: class.ProgressConfigMap}}, metav1.UpdateOptions{})
	mustForbid(t, "the watcher writes ann's progress", err)
	_, err = w.CoreV1().Pods(class.LessonNamespace("ts6", "ann", "02-pods")).List(ctx, metav1.ListOptions{})
	mustForbid(t, "the watcher lists ann's pods", err)
	// Ask the API server what the watcher may do, verb by verb.
	for _, verb := range []string{"create", "update", "patch", "delete", "deletecollection"} {
		for _, ns := range []string{home, class.LessonNamespace("ts6", "ann", "02-pods"), class.ClassNamespace("ts6")} {
			r, err := w.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authzv1.SelfSubjectAccessReview{Spec: authzv1.SelfSubjectAccessReviewSpec{
				ResourceAttributes: &authzv1.ResourceAttributes{Namespace: ns, Verb: verb, Resource: "configmaps"}}}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status.Allowed {
				t.Errorf("the watcher may %s configmaps in %s", verb, ns)
			}
		}
	}
	r, err := w.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authzv1.SelfSubjectAccessReview{Spec: authzv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authzv1.ResourceAttributes{Namespace: home, Verb: "watch", Resource: "configmaps"}}}, metav1.CreateOptions{})
	if err != nil || !r.Status.Allowed {
		t.Fatalf("the watcher may not watch ann's config maps: %v %+v", err, r)
	}
}

func TestDeleteRemovesExactlyTheClass(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	ctx := context.Background()
	newClass(t, "ts7", []string{"ann", "bob"}, []string{"02-pods"}, "")
	newClass(t, "ts7b", []string{"ann"}, []string{"02-pods"}, "")
	// Something the instructor made by hand, named as the class's are.
	lookalike := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "lab-ts7-zed", Labels: map[string]string{class.LabelClass: "ts7"}}}
	if _, err := env.Client.CoreV1().Namespaces().Create(ctx, lookalike, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = env.Client.CoreV1().Namespaces().Delete(context.Background(), lookalike.Name, metav1.DeleteOptions{})
	})
	made, err := env.Client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: class.Selector("ts7")})
	if err != nil {
		t.Fatal(err)
	}
	n, err := class.Delete(ctx, env.Client, "ts7", true)
	if err != nil || n != len(made.Items) || n != 5 {
		t.Fatalf("delete: %d namespaces, %v; want the 5 create made", n, err)
	}
	for _, ns := range made.Items {
		if _, err := env.Client.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("namespace %s is still there: %v", ns.Name, err)
		}
	}
	for _, keep := range []string{"lab-ts7-zed", "lab-ts7b", "lab-ts7b-ann", "lab-ts7b-ann-02-pods"} {
		if ns, err := env.Client.CoreV1().Namespaces().Get(ctx, keep, metav1.GetOptions{}); err != nil || ns.DeletionTimestamp != nil {
			t.Errorf("namespace %s, no part of class ts7, was touched: %v", keep, err)
		}
	}
	// The class's one cluster-wide role and its bindings went; the other
	// class's stay.
	for c, want := range map[string]int{"ts7": 0, "ts7b": 1} {
		roles, err := env.Client.RbacV1().ClusterRoles().List(ctx, metav1.ListOptions{LabelSelector: class.Selector(c)})
		if err != nil || len(roles.Items) != want {
			t.Errorf("class %s: %d cluster roles (%v), want %d", c, len(roles.Items), err, want)
		}
		bindings, err := env.Client.RbacV1().ClusterRoleBindings().List(ctx, metav1.ListOptions{LabelSelector: class.Selector(c)})
		if err != nil || len(bindings.Items) != want {
			t.Errorf("class %s: %d cluster role bindings (%v), want %d", c, len(bindings.Items), err, want)
		}
	}
	// Creating a class over a namespace it did not make is refused.
	_, err = class.Create(ctx, env.Client, env.Config, class.Spec{Name: "ts7", Learners: []string{"zed"}, OutDir: t.TempDir()})
	if err == nil {
		t.Fatal("create took over namespace lab-ts7-zed, which it did not make")
	}
}
