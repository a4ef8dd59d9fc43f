package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// verify's table: the lines under a row (faults, premises, -v's output) do
// not widen its columns; a solution never run says so.
func TestVerifyTableKeepsItsColumnsAndSaysWhatRan(t *testing.T) {
	t.Parallel()
	all := []*lesson.Lesson{{ID: "jobs", Steps: []lesson.Step{{ID: "oom"}, {ID: "fix"}}}}
	long := strings.Repeat("x", 120)
	rows := []proofRow{
		{"jobs", engine.StepProof{Step: "fix", FailedBefore: true, Ran: true, PassedAfter: true, SolutionTook: time.Second,
			Output: []engine.CommandOutput{{Command: "kubectl get jobs", Output: "NAME\tSTATUS\nmigrate\tComplete\n"}}}},
		{"jobs", engine.StepProof{Step: "oom", FailedBefore: true, Err: errors.New("premise job-failed was not seen"),
			Faults:   []engine.FaultSeen{{After: 2 * time.Second, Message: long}},
			Premises: []engine.PremiseSeen{{ID: "job-failed", Title: "The Job keeps failing"}}}},
	}
	var out bytes.Buffer
	printProofs(Streams{Out: &out}, all, rows, map[string]error{"jobs": errors.New("lesson jobs step oom: premise job-failed was not seen")}, true)
	text := out.String()
	lines := strings.Split(text, "\n")
	header := lines[0]
	if len(header) > 100 {
		t.Errorf("the header is %d columns wide: a line under a row widened the table:\n%s", len(header), text)
	}
	for _, want := range []string{
		"jobs    oom   in order", // the steps in the lesson's order
		"not run", "fault at +2s: " + long, "premise job-failed NOT SEEN: The Job keeps failing",
		"$ kubectl get jobs", "migrate\tComplete", "lesson jobs step oom: premise job-failed was not seen",
		"Proven: 1 in order",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "  oom  ") > strings.Index(text, "  fix  ") {
		t.Errorf("step fix is listed before oom:\n%s", text)
	}
}
