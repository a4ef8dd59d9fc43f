package class

import (
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Names of the access and budget objects a class makes.
const (
	// LearnerRole, in the learner's home namespace, lets the learner read
	// their Info and write their progress, and nothing else there.
	LearnerRole = "kubelab-learner"
	// WatcherRole, in each learner's home namespace, lets the watcher read
	// ConfigMaps there.
	WatcherRole = "kubelab-watcher"
	// AdminBinding, in each lesson namespace, binds the built-in ClusterRole
	// admin to the learner.
	AdminBinding = "kubelab-learner-admin"
	// BudgetName names each lesson namespace's ResourceQuota and LimitRange.
	BudgetName = "kubelab-budget"
)

// defaultRequest is what a container that requests nothing is given, so
// that it counts against the quota: 20 such pods fit the default budget.
var defaultRequest = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")}

// meta is the object metadata of something class makes for learner ("":
// the class's own) as part.
func meta(class, learner, part, ns, name string) metav1.ObjectMeta {
	l := map[string]string{LabelClass: class, LabelPart: part, LabelManagedBy: ManagedBy}
	if learner != "" {
		l[LabelLearner] = learner
	}
	return metav1.ObjectMeta{Name: name, Namespace: ns, Labels: l}
}

// Selector selects every object of class.
func Selector(class string) string {
	return LabelClass + "=" + class + "," + LabelManagedBy + "=" + ManagedBy
}

func namespace(class, learner, part, name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: meta(class, learner, part, "", name)}
}

func infoConfigMap(class, learner, ns string, info Info) (*corev1.ConfigMap, error) {
	data, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	part := PartHome
	if learner == "" {
		part = PartClass
	}
	return &corev1.ConfigMap{ObjectMeta: meta(class, learner, part, ns, InfoConfigMap), Data: map[string]string{InfoKey: string(data)}}, nil
}

func serviceAccount(class, learner, ns, name string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: meta(class, learner, PartAccess, ns, name)}
}

// learnerRole may read the learner's Info and read and write their progress
// (by name: no other ConfigMap, not even a list of them).
func learnerRole(class, learner, home string) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: meta(class, learner, PartAccess, home, LearnerRole), Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get"}, ResourceNames: []string{InfoConfigMap, ProgressConfigMap}},
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"update", "patch"}, ResourceNames: []string{ProgressConfigMap}},
	}}
}

// watcherRole may read the ConfigMaps of a home namespace, nothing else.
func watcherRole(class, learner, home string) *rbacv1.Role {
	return &rbacv1.Role{ObjectMeta: meta(class, learner, PartAccess, home, WatcherRole), Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}},
	}}
}

func roleBinding(class, learner, ns, name string, role rbacv1.RoleRef, saNS, sa string) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: meta(class, learner, PartAccess, ns, name),
		RoleRef:    role,
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: saNS, Name: sa}},
	}
}

func roleRef(name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}
}

func clusterRoleRef(name string) rbacv1.RoleRef {
	return rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}
}

func quota(class, learner, ns string, budget corev1.ResourceList) *corev1.ResourceQuota {
	return &corev1.ResourceQuota{ObjectMeta: meta(class, learner, PartBudget, ns, BudgetName), Spec: corev1.ResourceQuotaSpec{Hard: budget}}
}

func limitRange(class, learner, ns string) *corev1.LimitRange {
	return &corev1.LimitRange{ObjectMeta: meta(class, learner, PartBudget, ns, BudgetName), Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
		Type: corev1.LimitTypeContainer, DefaultRequest: defaultRequest,
	}}}}
}
