package class

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// DefaultDuration is how long a learner's credentials last: a working day.
const DefaultDuration = 8 * time.Hour

// DefaultBudget is each lesson namespace's budget (see ParseBudget).
const DefaultBudget = "cpu=2,memory=2Gi,pods=20"

// Spec describes a class to create.
type Spec struct {
	Name string
	// Learners are the learners' names, in roster order.
	Learners []string
	// Lessons are the lesson ids each learner gets a namespace for.
	Lessons []string
	// Budget is each lesson namespace's quota (ParseBudget); nil: DefaultBudget.
	Budget corev1.ResourceList
	// Duration is how long the learners' tokens last; 0: DefaultDuration.
	Duration time.Duration
	// OutDir is where learners' kubeconfigs are written; "": ./NAME-kubeconfigs.
	OutDir string
	// StorageClass, when set, is the StorageClass the class provides for
	// lessons that claim storage (told to learners in their Info).
	StorageClass string
	// Reissue writes new kubeconfigs for learners that already exist too.
	Reissue bool
	// Server and CA, when set, replace the API server address and CA the
	// learners' kubeconfigs get (default: those of the instructor's config).
	Server string
	CA     []byte
}

// Learners names n learners learner-01 ... (as wide as n needs).
func Learners(n int) []string {
	width := len(fmt.Sprint(n))
	if width < 2 {
		width = 2
	}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("learner-%0*d", width, i+1)
	}
	return out
}

// ParseRoster reads a roster: one learner name a line; blank lines and
// lines starting with # are skipped.
func ParseRoster(text string) ([]string, error) {
	var out []string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := ValidName("learner", line, MaxLearnerName); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if slices.Contains(out, line) {
			return nil, fmt.Errorf("line %d: learner %q is named twice", n+1, line)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the roster names no learner")
	}
	return out, nil
}

// ParseBudget reads a budget such as "cpu=2,memory=2Gi,pods=20": cpu and
// memory bound what a namespace's pods request (requests.cpu,
// requests.memory); any other name is a ResourceQuota resource as
// Kubernetes spells it (limits.memory=4Gi, services=10,
// persistentvolumeclaims=2). Limits are not bound by default: a default
// limit would reject the lessons' pods that request more than it without
// a limit of their own.
func ParseBudget(s string) (corev1.ResourceList, error) {
	out := corev1.ResourceList{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("budget %q: %q is not name=value", s, part)
		}
		q, err := resource.ParseQuantity(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("budget %q: %s: %w", s, name, err)
		}
		switch name = strings.TrimSpace(name); name {
		case "cpu", "memory":
			out[corev1.ResourceName("requests."+name)] = q
		default:
			out[corev1.ResourceName(name)] = q
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("budget %q names nothing", s)
	}
	return out, nil
}

func (s Spec) validate() error {
	if err := ValidName("class", s.Name, MaxClassName); err != nil {
		return err
	}
	if len(s.Learners) == 0 {
		return fmt.Errorf("class %s has no learners", s.Name)
	}
	for _, l := range s.Learners {
		if err := ValidName("learner", l, MaxLearnerName); err != nil {
			return err
		}
	}
	for _, id := range s.Lessons {
		if len(id) > MaxLessonID || !dnsLabel.MatchString(id) {
			return fmt.Errorf("lesson id %q cannot name a namespace (at most %d lower-case letters, digits or '-')", id, MaxLessonID)
		}
	}
	return nil
}

func (s Spec) duration() time.Duration {
	if s.Duration <= 0 {
		return DefaultDuration
	}
	return s.Duration
}

func (s Spec) budget() corev1.ResourceList {
	if s.Budget != nil {
		return s.Budget
	}
	b, _ := ParseBudget(DefaultBudget)
	return b
}

func (s Spec) outDir() string {
	if s.OutDir != "" {
		return s.OutDir
	}
	return s.Name + "-kubeconfigs"
}
