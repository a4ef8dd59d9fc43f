// Package lesson defines kubelab's lesson format and loads lessons from an
// fs.FS: one folder per lesson, holding a lesson.yaml and the Markdown and
// manifest files it names. Loading validates everything and reports each
// problem as "file:line: what is wrong" (see lessons/README.md).
package lesson

import (
	"time"
)

// FormatVersion is the lesson.yaml format this kubelab reads. In format 2,
// paths (a field goal's path, a solution's {{ kind/name .path }}) are kubectl
// JSONPath; format 1 had kubelab's own dotted paths, and the loader says how
// to rewrite each of them.
const FormatVersion = 2

// Lesson is one lesson folder.
type Lesson struct {
	FormatVersion int      `yaml:"format_version"`
	ID            string   `yaml:"id"`
	Title         string   `yaml:"title"`
	Summary       string   `yaml:"summary"`
	Concepts      []string `yaml:"concepts"`
	Minutes       int      `yaml:"minutes"`
	// Backends the lesson runs on: "embedded", "kind"; all of them when the
	// lesson does not say.
	Backends []string `yaml:"backends"`
	Steps    []Step   `yaml:"steps"`
	// Tasks are hands-on quiz tasks: the answer is the cluster's state.
	Tasks []Task `yaml:"tasks"`

	// Dir is the lesson's folder inside the FS it was loaded from.
	Dir string `yaml:"-"`
	// QuizTask is set by AsLesson: a hands-on quiz task, whose every
	// session starts from an empty namespace and ends by removing it.
	QuizTask bool `yaml:"-"`

	// facts are those Localize filled in (nil: not localized).
	facts Facts
}

// AllBackends are the backends a lesson runs on when it names none.
func AllBackends() []string { return []string{"embedded", "kind"} }

// Step is one exercise of a lesson.
type Step struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	// TextFile names the step's Markdown file. Text is set only for a quiz
	// task made into a step (AsLesson), whose text is its own.
	Text     string `yaml:"-"`
	TextFile string `yaml:"text_file"`
	// Setup lists manifest files applied into the lesson's namespace when the
	// step starts (and again on reset).
	Setup  []string `yaml:"setup"`
	Faults []Fault  `yaml:"faults"`
	Goals  []Goal   `yaml:"goals"`
	Hints  []Hint   `yaml:"hints"`
	// BuildsOn names an earlier step whose end state this step starts from
	// (pod web from "run a pod"). Starting the step, by any way, first
	// brings back what that step (and what it builds on) would have left,
	// wherever its goals do not pass: its setup and reference solution.
	BuildsOn string `yaml:"builds_on"`

	// Premises are what must be seen after the setup and faults, before the
	// solution (the Job reached its backoff limit, the pod was OOM-killed):
	// goals that kubelab verify requires to pass at least once before it
	// runs the solution, so that a proof shows the scenario happened. The
	// learner never sees them.
	Premises []Goal `yaml:"premises"`
	// Solution is the reference solution: shown on request, run by proofs.
	Solution Solution `yaml:"solution"`
	// Accept are other valid solutions, each proven to pass like the
	// reference one; Reject are classic mistakes, each proven to leave the
	// goal it names failing.
	Accept    []Case     `yaml:"accept"`
	Reject    []Case     `yaml:"reject"`
	Questions []Question `yaml:"questions"`
	// Panel adds a live panel to the step's screen: "metrics" shows the
	// lesson app's queue and request figures (lab/metrics) as they change.
	Panel string `yaml:"panel"`
}

// PanelMetrics is the on-duty panel of queue and request figures.
const PanelMetrics = "metrics"

// Task is a hands-on quiz task: set up, then judged by its goals, like a
// step without hints. Its solution proves it (kubelab verify).
type Task struct {
	ID       string   `yaml:"id"`
	Topic    string   `yaml:"topic"`
	Text     string   `yaml:"text"`
	Setup    []string `yaml:"setup"`
	Goals    []Goal   `yaml:"goals"`
	Solution Solution `yaml:"solution"`
}

// AsLesson turns task t of lesson l into a one-step lesson of its own (its
// own namespace), so the engine can run and prove it like any step.
func (l *Lesson) AsLesson(t Task) *Lesson {
	return &Lesson{
		FormatVersion: FormatVersion, ID: "quiz-" + t.ID, Title: l.Title + " (task)", Summary: t.Text,
		Concepts: []string{t.Topic}, Minutes: 5, Backends: l.Backends, Dir: l.Dir, QuizTask: true,
		Steps: []Step{{ID: t.ID, Title: t.Text, Text: t.Text, Setup: t.Setup, Goals: t.Goals, Solution: t.Solution,
			Hints: []Hint{{Text: "This is a quiz task: no hints."}}}},
	}
}

// Fault is a fault from the catalogue, injected into the lesson's namespace.
type Fault struct {
	// Type names the fault in the catalogue (lab/fault): bad-image, node-down...
	Type   string            `yaml:"type"`
	Params map[string]string `yaml:"params"`
}

// Goal is one thing the cluster must show. Exactly one of the kinds is set;
// Hold, when set, asks that the goal keep passing for that long.
type Goal struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Hold  string `yaml:"hold"`
	// Expect, when set, is what the goals panel says passing means, instead
	// of the wording kubelab derives from the goal (which can give away an
	// answer the learner must find). A cel goal needs it.
	Expect string `yaml:"expect"`
	// Quiet keeps the goal's diagnosis to itself: its now line says only
	// "not yet" or "yes", never what is wrong (a final checkpoint, where
	// finding the fault is the exercise).
	Quiet bool `yaml:"quiet"`

	Exists       *ExistsGoal    `yaml:"exists"`
	Field        *FieldGoal     `yaml:"field"`
	Count        *CountGoal     `yaml:"count"`
	Condition    *ConditionGoal `yaml:"condition"`
	ServiceReady *ServiceGoal   `yaml:"service_ready"`
	CEL          *CELGoal       `yaml:"cel"`
	Running      *RunningGoal   `yaml:"running"`
}

// Kind names which kind of goal g is ("" if none or several are set).
func (g Goal) Kind() string {
	var kinds []string
	for name, set := range map[string]bool{
		"exists": g.Exists != nil, "field": g.Field != nil, "count": g.Count != nil,
		"condition": g.Condition != nil, "service_ready": g.ServiceReady != nil,
		"cel": g.CEL != nil, "running": g.Running != nil,
	} {
		if set {
			kinds = append(kinds, name)
		}
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// ExistsGoal: an object of Kind named Name, or any matching Selector, exists.
type ExistsGoal struct {
	Kind     string `yaml:"kind"`
	Name     string `yaml:"name"`
	Selector string `yaml:"selector"`
}

// FieldGoal: a field of one object compares to a value. Object is
// "kind/name"; Path is what `kubectl get kind/name -o jsonpath=PATH` takes:
// "{.status.readyReplicas}", `{.spec.template.spec.containers[?(@.name=="app")].image}`,
// "{.metadata.labels.app}".
type FieldGoal struct {
	Object string `yaml:"object"`
	Path   string `yaml:"path"`
	// One comparison: Equals and NotEquals compare text; AtLeast and AtMost numbers.
	Equals    *string  `yaml:"equals"`
	NotEquals *string  `yaml:"not_equals"`
	AtLeast   *float64 `yaml:"at_least"`
	AtMost    *float64 `yaml:"at_most"`
}

// CountGoal: how many objects of Kind match Selector (and, for pods, Ready or Phase).
type CountGoal struct {
	Kind     string `yaml:"kind"`
	Selector string `yaml:"selector"`
	Ready    bool   `yaml:"ready"`
	Phase    string `yaml:"phase"`
	AtLeast  *int   `yaml:"at_least"`
	AtMost   *int   `yaml:"at_most"`
	Equals   *int   `yaml:"equals"`
}

// RunningGoal sees behaviour, not only the spec: the pod named Pod, or at
// least AtLeast (default 1) pods matching Selector, have every container
// running and ready, and none has restarted since the step began.
type RunningGoal struct {
	Pod      string `yaml:"pod"`
	Selector string `yaml:"selector"`
	AtLeast  int    `yaml:"at_least"`
}

// ConditionGoal: a status condition of one object has Status (default "True").
type ConditionGoal struct {
	Object string `yaml:"object"`
	Type   string `yaml:"type"`
	Status string `yaml:"status"`
}

// ServiceGoal: a Service selects at least AtLeast ready pods.
type ServiceGoal struct {
	Service string `yaml:"service"`
	AtLeast int    `yaml:"at_least"`
}

// CELGoal: a CEL expression over one object (Kind and Name) is true, or
// over at least one of the objects matching Selector. The object is
// `object`. The goal's Expect says in words what passing means;
// Actual, an optional CEL expression of type string, says what the learner
// has now.
type CELGoal struct {
	Kind   string `yaml:"kind"`
	Name   string `yaml:"name"`
	Expr   string `yaml:"expr"`
	Actual string `yaml:"actual"`

	Selector string `yaml:"selector"`
}

// Hint helps with a step; Goal, when set, ties it to the goal it helps with.
type Hint struct {
	Text string `yaml:"text"`
	Goal string `yaml:"goal"`
}

// Solution is a step's reference solution: kubectl commands (run in the
// lesson's namespace) and manifest files (applied into it), in that order.
type Solution struct {
	Commands  []string `yaml:"commands"`
	Manifests []string `yaml:"manifests"`
}

// Case is a solution a proof runs from the step's start: an accepted one
// must turn every goal green; a rejected one must leave goal CaughtBy failing.
type Case struct {
	Title    string `yaml:"title"`
	Solution `yaml:",inline"`
	CaughtBy string `yaml:"caught_by"`
}

// Empty reports whether the solution says nothing.
func (s Solution) Empty() bool { return len(s.Commands) == 0 && len(s.Manifests) == 0 }

// Question is a concept question: choose the right answers.
type Question struct {
	ID          string   `yaml:"id"`
	Text        string   `yaml:"text"`
	Choices     []string `yaml:"choices"`
	Answers     []int    `yaml:"answers"` // indexes into Choices, from 0
	Explanation string   `yaml:"explanation"`
	Topic       string   `yaml:"topic"`
	// Scored false makes it a question for fun (trivia: the logo, the
	// name's history): asked and explained, never counted in the score.
	Scored *bool `yaml:"scored"`
}

// IsScored reports whether the question counts in a quiz's score (the default).
func (q Question) IsScored() bool { return q.Scored == nil || *q.Scored }

// Namespace is the namespace a lesson runs in.
func (l *Lesson) Namespace() string { return "lab-" + l.ID }

// Step returns the step with id, if any.
func (l *Lesson) Step(id string) (int, *Step, bool) {
	for i := range l.Steps {
		if l.Steps[i].ID == id {
			return i, &l.Steps[i], true
		}
	}
	return -1, nil, false
}

// HoldDuration parses Hold (0 when unset).
func (g Goal) HoldDuration() time.Duration {
	d, _ := time.ParseDuration(g.Hold)
	return d
}
