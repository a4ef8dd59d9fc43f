package check

import (
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
)

func TestPathsAreCheckedAgainstTheAPIsTypes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, path string
		err        string // "" when the path is right
	}{
		{"job", "{.status.succeeded}", ""},
		{"job", "{.status.succeded}", `did you mean "succeeded"?`},
		{"job", "{.spec.backoffLimit}", ""},
		{"job", "{.spec.template.spec.containers[0].resources.limits.memory}", ""},
		{"job", `{.status.conditions[?(@.type=="Complete")].status}`, ""},
		{"job", `{.status.conditions[?(@.type=="Completed")].status}`, `"Completed" is not a Job condition type`},
		{"job", `{.status.conditions[?(@.typ=="Complete")].status}`, `did you mean "type"?`},
		{"pod", "{.status.containerStatuses[0].lastState.terminated.exitCode}", ""},
		{"pod", "{.status.containerStatuses[*].restartCount}", ""},
		{"pod", `{.spec.containers[?(@.name=="app")].env[?(@.name=="MODE")].value}`, ""},
		{"pod", "{.spec.containers.image}", "is a list"},
		{"pod", "{.status.phase.value}", "single value"},
		{"pod", "{.metadata.labels.app}", ""},
		{"pod", `{.metadata.labels.app\.kubernetes\.io/name}`, ""},
		{"pod", "{.metadata.creationTimestamp}", ""},
		{"pod", "{.metadata.nmae}", `did you mean "name"?`},
		{"pod", "{.spec.nodeName}", ""},
		{"pod", "{.spec.node}", `has no field "node"`},
		{"pod", "{.spec.containers[0].ports[0].containerPort}", ""},
		{"pod", "{.status.podIP[0]}", "not a list"},
		{"pod", "{..image}", ""},
		{"pod", "{.spec.*}", ""},
		{"deployment", "{.status.readyReplicas}", ""},
		{"deployment", "{.status.readyreplicas}", `did you mean "readyReplicas"?`},
		{"deployment", "{.spec.template.spec.containers[0].image}", ""},
		{"deployment", "{.spec.strategy.rollingUpdate.maxSurge}", ""},
		{"configmap", "{.data.color}", ""},
		{"service", "{.spec.ports[0].targetPort}", ""},
		{"service", "{.spec.selector.app}", ""},
		{"horizontalpodautoscaler", "{.status.currentReplicas}", ""},
		{"persistentvolumeclaim", "{.status.phase}", ""},
		{"node", "{.spec.unschedulable}", ""},
		{"cronjob", "{.spec.jobTemplate.spec.template.spec.restartPolicy}", ""},
	}
	for _, c := range cases {
		t.Run(c.kind+c.path, func(t *testing.T) {
			t.Parallel()
			r, err := LookupResource(c.kind)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParsePath(c.path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = CheckPath(r, p)
			switch {
			case c.err == "" && err != nil:
				t.Errorf("a right path is refused: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("err = %v, want one saying %q", err, c.err)
			}
		})
	}
}

func TestGoalsNameOnlyWhatTheAPIDeclares(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	one := 1
	cases := []struct {
		name string
		goal lesson.Goal
		err  string
	}{
		{"job condition", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "job/x", Type: "Complete"}}, ""},
		{"job condition that does not exist", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "job/x", Type: "Completed"}}, `"Completed" is not a Job condition type`},
		{"deployment condition", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "deployment/x", Type: "Available", Status: "False"}}, ""},
		{"a pod's condition is not a deployment's", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "deployment/x", Type: "Ready"}}, "not a Deployment condition type"},
		{"pod condition", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "pod/x", Type: "Ready"}}, ""},
		{"readiness gate", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "pod/x", Type: "example.com/feature"}}, ""},
		{"condition status", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "pod/x", Type: "Ready", Status: "Yes"}}, `"Yes" is not a condition status`},
		{"statefulset condition", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "statefulset/x", Type: "Progressing"}}, ""},
		{"daemonset: no declared types", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "daemonset/x", Type: "Whatever"}}, ""},
		{"a configmap has no conditions", lesson.Goal{Condition: &lesson.ConditionGoal{Object: "configmap/x", Type: "Ready"}}, "has no status conditions"},
		{"pod phase", lesson.Goal{Count: &lesson.CountGoal{Kind: "pod", Phase: "Succeeded", AtLeast: &one}}, ""},
		{"pod phase that does not exist", lesson.Goal{Count: &lesson.CountGoal{Kind: "pod", Phase: "Completed", AtLeast: &one}}, `"Completed" is not a Pod phase`},
		{"phase compared", lesson.Goal{Field: &lesson.FieldGoal{Object: "pod/x", Path: "{.status.phase}", NotEquals: str("Crashed")}}, `"Crashed" is not a Pod phase`},
		{"service type", lesson.Goal{Field: &lesson.FieldGoal{Object: "service/x", Path: "{.spec.type}", Equals: str("NodePort")}}, ""},
		{"service type misspelled", lesson.Goal{Field: &lesson.FieldGoal{Object: "service/x", Path: "{.spec.type}", Equals: str("Nodeport")}}, "not a Service type"},
		{"free text", lesson.Goal{Field: &lesson.FieldGoal{Object: "pod/x", Path: "{.spec.containers[0].image}", Equals: str("anything")}}, ""},
		{"misspelled field", lesson.Goal{Field: &lesson.FieldGoal{Object: "job/x", Path: "{.status.succeded}", Equals: str("1")}}, `did you mean "succeeded"?`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := Validate(c.goal)
			switch {
			case c.err == "" && err != nil:
				t.Errorf("a right goal is refused: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("err = %v, want one saying %q", err, c.err)
			}
		})
	}
	if err := ValidateRef("pod/web", "{.status.podIp}"); err == nil || !strings.Contains(err.Error(), `did you mean "podIP"?`) {
		t.Errorf("a solution's reference to a misspelled field: %v", err)
	}
}
