package check_test

import (
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

// The fields a cel goal's expression reads from object, and from the
// variables of macros over its lists, are checked against the kind's type.
func TestCELFieldsAreCheckedAgainstTheAPIsTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, expr string
		err        string // "" when the expression is right
	}{
		{"job", "object.status.succeeded >= 1", ""},
		{"job", "object.status.succeded >= 1", `has no field "succeded"; did you mean "succeeded"?`},
		{"job", "object.status.?succeeded.orValue(0) >= 1", ""},
		{"job", "object.status.?succeded.orValue(0) >= 1", `did you mean "succeeded"?`},
		{"job", "has(object.status.completionTime)", ""},
		{"job", "has(object.status.completedTime)", `has no field "completedTime"`},
		{"job", "object.status.?conditions.orValue([]).exists(c, c.type == 'Failed' && c.reasn == 'BackoffLimitExceeded')", `did you mean "reason"?`},
		{"deployment", "object.spec.template.spec.containers.all(c, has(c.resources) && 'memory' in c.resources.limits)", ""},
		{"deployment", "object.spec.template.spec.containers.all(c, has(c.resources) && 'memory' in c.resources.limts)", `did you mean "limits"?`},
		{"deployment", "object.spec.template.spec.containers.map(c, c.resources.requests.map(k, k + string(c.resources.requests[k])).join(' ')).join('; ') != ''", ""},
		{"pod", "object.status.?containerStatuses.orValue([]).exists(c, c.?lastState.?terminated.?reason.orValue('') == 'OOMKilled')", ""},
		{"pod", "object.status.?containerStatuses.orValue([]).exists(c, c.?lastStat.?terminated.?reason.orValue('') == 'OOMKilled')", `did you mean "lastState"?`},
		{"pod", "object.metadata.?labels.node.orValue('') == object.spec.?nodeName.orValue('-')", ""},
		{"pod", "object.spec.containers[0].imag == 'x'", `did you mean "image"?`},
		{"pod", "object.spec.containers.image == 'x'", "is a list"},
		{"pod", "object.status.phase.value == 'x'", "single value"},
		{"pod", "hasEnv(object, 'app', 'KUBELAB_MODE') && envValue(object, 'app', 'KUBELAB_MODE') == 'job'", ""},
		{"configmap", "object.data.color == 'blue'", ""},
		{"service", "object.spec.ports.exists(p, p.targetPort == 8080)", ""},
		{"service", "object.spec.ports.exists(p, p.tragetPort == 8080)", `did you mean "targetPort"?`},
	}
	for _, c := range cases {
		t.Run(c.kind+" "+c.expr, func(t *testing.T) {
			t.Parallel()
			g := lesson.Goal{ID: "g", Title: "g", Expect: "it holds", CEL: &lesson.CELGoal{Kind: c.kind, Name: "x", Expr: c.expr}}
			err := check.Validate(g)
			switch {
			case c.err == "" && err != nil:
				t.Errorf("a right expression is refused: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("err = %v, want one saying %q", err, c.err)
			}
		})
	}
	// The actual expression is checked too.
	g := lesson.Goal{ID: "g", Title: "g", Expect: "it holds", CEL: &lesson.CELGoal{Kind: "job", Name: "x", Expr: "true", Actual: "string(object.status.?faild.orValue(0))"}}
	if err := check.Validate(g); err == nil || !strings.Contains(err.Error(), `cel actual: a Job's status has no field "faild"`) {
		t.Errorf("a misspelled field in actual: %v", err)
	}
}
