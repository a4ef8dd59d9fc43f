package class

import "time"

// PublishedVersion is the format of Published.
const PublishedVersion = 1

// Published is what a learner's kubelab writes into their ProgressConfigMap
// on every change (a step started or passed, a goal changed, a hint shown),
// and what the instructor's watcher reads. It carries no secrets and nothing
// the learner typed: names, states and counts.
type Published struct {
	Version int       `json:"version"`
	Class   string    `json:"class"`
	Learner string    `json:"learner"`
	Updated time.Time `json:"updated"` // the learner's last activity

	// Current is the step the learner has open (nil: none, e.g. in the
	// lesson list or offline).
	Current *CurrentStep `json:"current,omitempty"`
	// Lessons is every lesson's progress, by lesson id.
	Lessons map[string]LessonProgress `json:"lessons"`
}

// CurrentStep is the learner's open step and its goals right now.
type CurrentStep struct {
	Lesson    string    `json:"lesson"` // lesson id
	Step      string    `json:"step"`   // step id
	Index     int       `json:"index"`  // 0-based
	Count     int       `json:"count"`  // steps in the lesson
	Title     string    `json:"title"`
	Started   time.Time `json:"started"`
	Goals     []Goal    `json:"goals"`
	Passed    bool      `json:"passed"`
	Hints     int       `json:"hints"`    // hints shown in this step
	Attempts  int       `json:"attempts"` // failing-to-passing transitions
	Resets    int       `json:"resets"`
	Solution  bool      `json:"solution"` // the reference solution was revealed
	Available bool      `json:"available"`
}

// Goal is one goal's state, and since when it has been in that state: a goal
// failing for minutes is how a watcher sees a learner stuck.
type Goal struct {
	Name    string    `json:"name"`
	Passing bool      `json:"passing"`
	Since   time.Time `json:"since"`
}

// LessonProgress is one lesson's progress.
type LessonProgress struct {
	Done     []string      `json:"done"` // step ids finished
	Finished bool          `json:"finished"`
	Hints    int           `json:"hints"`
	Attempts int           `json:"attempts"`
	Time     time.Duration `json:"time"`
}

// Info is what InfoConfigMap holds: which class and learner a namespace
// belongs to and where each lesson runs. `join` reads it with the learner's
// own credentials.
type Info struct {
	Class   string `json:"class"`
	Learner string `json:"learner,omitempty"` // empty in the class namespace
	// Learners, in the class namespace only, names every learner, in roster order.
	Learners []string `json:"learners,omitempty"`
	// Lessons maps a lesson id to the learner's namespace for it.
	Lessons map[string]string `json:"lessons,omitempty"`
	// StorageClass, when set, is the StorageClass the class provides for
	// lessons that claim storage.
	StorageClass string `json:"storageClass,omitempty"`
	// NodePorts maps a lesson id to the node port reserved for this
	// learner, where a lesson needs a fixed one.
	NodePorts map[string]int32 `json:"nodePorts,omitempty"`
	Expires   time.Time        `json:"expires,omitzero"`
}
