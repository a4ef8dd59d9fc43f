package class

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"ws1", true}, {"alice", true}, {"a-b", true},
		{"", false}, {"Alice", false}, {"-a", false}, {"a_b", false}, {strings.Repeat("a", 13), false},
	} {
		err := ValidName("class", tc.name, MaxClassName)
		if (err == nil) != tc.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestNamespacesFitKubernetes(t *testing.T) {
	t.Parallel()
	ns := LessonNamespace(strings.Repeat("c", MaxClassName), strings.Repeat("l", MaxLearnerName), strings.Repeat("x", MaxLessonID))
	if len(ns) > 63 {
		t.Fatalf("longest lesson namespace %q is %d characters, over 63", ns, len(ns))
	}
	if !strings.HasPrefix(ns, "lab-") || !strings.HasPrefix(HomeNamespace("c", "l"), "lab-") {
		t.Fatalf("class namespaces must start with lab- (faults act only there): %q", ns)
	}
}
