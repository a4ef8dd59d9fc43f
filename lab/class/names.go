package class

import (
	"fmt"
	"regexp"
)

// Labels every object a class makes carries, so that `class delete` removes
// exactly those and a watcher finds them.
const (
	LabelClass   = "kubelab.io/class"
	LabelLearner = "kubelab.io/learner"
	// LabelPart says what an object is for: one of the Part* values.
	LabelPart = "kubelab.io/part"
	// LabelManagedBy is "kubelab" on everything a class makes.
	LabelManagedBy = "app.kubernetes.io/managed-by"
	ManagedBy      = "kubelab"
)

// Values of LabelPart.
const (
	PartClass    = "class"    // the class's own namespace and its info
	PartHome     = "home"     // a learner's home namespace (progress, credentials)
	PartLesson   = "lesson"   // a learner's namespace for one lesson
	PartProgress = "progress" // a learner's published progress
	PartAccess   = "access"   // ServiceAccounts, Roles, RoleBindings
	PartBudget   = "budget"   // ResourceQuota, LimitRange
)

// Names of fixed objects.
const (
	// InfoConfigMap, in the class namespace and in each learner's home
	// namespace, says which class and learner it is and which namespace
	// each lesson uses (key InfoKey, JSON Info).
	InfoConfigMap = "kubelab-class"
	InfoKey       = "class.json"
	// ProgressConfigMap, in the learner's home namespace, holds the
	// learner's Published progress (key ProgressKey, JSON).
	ProgressConfigMap = "kubelab-progress"
	ProgressKey       = "progress.json"
	// LearnerServiceAccount is the learner's identity, in their home namespace.
	LearnerServiceAccount = "learner"
	// WatcherServiceAccount, in the class namespace, may only read the
	// learners' published progress: `class watch` runs as it.
	WatcherServiceAccount = "watcher"
)

// Limits that keep every derived namespace within Kubernetes' 63 characters:
// "lab-" + class + "-" + learner + "-" + the longest lesson id.
const (
	MaxClassName   = 12
	MaxLearnerName = 20
	MaxLessonID    = 20
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// ValidName checks a class or learner name: a DNS label of at most max
// characters.
func ValidName(what, name string, max int) error {
	if len(name) == 0 || len(name) > max || !dnsLabel.MatchString(name) {
		return fmt.Errorf("%s name %q must be 1-%d lower-case letters, digits or '-', starting and ending with a letter or digit", what, name, max)
	}
	return nil
}

// ClassNamespace is the class's own namespace: its info and its watcher.
func ClassNamespace(class string) string { return "lab-" + class }

// HomeNamespace is a learner's home namespace: their ServiceAccount,
// published progress and class info.
func HomeNamespace(class, learner string) string { return "lab-" + class + "-" + learner }

// LessonNamespace is the namespace a learner works in for one lesson. It
// starts with "lab-", as every namespace faults may act in.
func LessonNamespace(class, learner, lessonID string) string {
	return HomeNamespace(class, learner) + "-" + lessonID
}
