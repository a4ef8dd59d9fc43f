package check

import (
	"os"
	"regexp"
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
)

// Every path the authoring guide shows (goal paths, the kubectl commands that
// try them, {{ }} references) is one kubelab reads.
func TestTheGuidesPathsAreKubectlJSONPath(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../lessons/README.md")
	if err != nil {
		t.Fatal(err)
	}
	guide := string(data)
	found := 0
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`path: '([^']+)'`), regexp.MustCompile(`-o jsonpath='([^']+)'`)} {
		for _, m := range re.FindAllStringSubmatch(guide, -1) {
			if m[1] == "PATH" { // the placeholder of "kubectl get KIND/NAME -o jsonpath='PATH'"
				continue
			}
			found++
			if _, err := ParsePath(m[1]); err != nil {
				t.Errorf("the guide shows %s: %v", m[0], err)
			}
		}
	}
	for _, r := range lesson.Refs(guide) {
		found++
		if err := ValidateRef(r.Object, r.Path()); err != nil {
			t.Errorf("the guide shows %s: %v", r, err)
		}
	}
	if found < 12 {
		t.Errorf("found only %d paths in the guide", found)
	}
}
