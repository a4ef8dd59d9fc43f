package tui

import (
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// A checkpoint whose goals are all quiet lets the learner find what broke:
// the fault's banner must not name it; elsewhere it says what struck.
func TestAQuietStepsFaultBannerGivesNothingAway(t *testing.T) {
	t.Parallel()
	m := lessonModel{les: &lesson.Lesson{Steps: []lesson.Step{
		{Goals: []lesson.Goal{{ID: "a", Quiet: true}, {ID: "b", Quiet: true}}},
		{Goals: []lesson.Goal{{ID: "a", Quiet: true}, {ID: "b"}}},
	}}}
	const struck = "deployment/shop was rolled out with image kubelab/app:v7"
	quiet := m.onEvent(engine.Event{Kind: engine.EventFaultInjected, Step: 0, Message: struck})
	if strings.Contains(quiet.message, "kubelab/app:v7") || !strings.Contains(quiet.message, "broke") {
		t.Errorf("quiet step's banner = %q", quiet.message)
	}
	loud := m.onEvent(engine.Event{Kind: engine.EventFaultInjected, Step: 1, Message: struck})
	if !strings.Contains(loud.message, struck) {
		t.Errorf("a step with a goal that speaks: banner = %q, want the fault named", loud.message)
	}
}
