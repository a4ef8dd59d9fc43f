// Package quiz builds self-assessment quizzes from the curriculum's concept
// questions, scores them by topic, and keeps attempts and results so that a
// learner who quits mid-quiz can resume, and nothing is lost.
//
// A seed fixes the choice and order of questions and of their options, so a
// whole room can take the same quiz.
package quiz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/lesson"
)

// Question is one multiple- or single-choice question as asked: its options
// already in the quiz's order, Answers indexing into them.
type Question struct {
	ID          string   `json:"id"` // lesson/question
	Lesson      string   `json:"lesson"`
	Topic       string   `json:"topic"`
	Text        string   `json:"text"`
	Choices     []string `json:"choices"`
	Answers     []int    `json:"answers"`
	Explanation string   `json:"explanation"`
	// Task, when set, makes this a hands-on task (a task id of Lesson): it is
	// right when its goals pass at submission, recorded as the answer [1].
	Task string `json:"task,omitempty"`
	// Unscored questions (trivia) are asked and explained but count in no
	// topic and not in the score.
	Unscored bool `json:"unscored,omitempty"`
}

// IsTask reports whether q is a hands-on task.
func (q Question) IsTask() bool { return q.Task != "" }

// Multiple reports whether more than one choice is right.
func (q Question) Multiple() bool { return len(q.Answers) > 1 }

// Options choose which questions a quiz asks.
type Options struct {
	Topics []string      // only these topics (all when empty)
	Count  int           // at most this many questions (all when 0)
	Seed   uint64        // fixes the selection and order
	Time   time.Duration // the time limit (0: none)
	// NoTasks leaves out hands-on tasks (a quiz that needs no cluster).
	NoTasks bool
}

// A quiz the learner does not size asks DefaultCount questions in
// DefaultTime: `kubelab quiz` without flags and z in the lesson list.
const (
	DefaultCount = 10
	DefaultTime  = 15 * time.Minute
)

// ErrNoQuestions means the options select nothing.
var ErrNoQuestions = errors.New("no questions match")

// Bank collects every concept question of the lessons. A question's topic is
// its own, else the lesson's first concept.
func Bank(lessons []*lesson.Lesson) []Question {
	var out []Question
	for _, l := range lessons {
		for _, s := range l.Steps {
			for _, q := range s.Questions {
				topic := q.Topic
				if topic == "" && len(l.Concepts) > 0 {
					topic = l.Concepts[0]
				}
				out = append(out, Question{
					ID: l.ID + "/" + q.ID, Lesson: l.ID, Topic: topic, Text: q.Text,
					Choices: slices.Clone(q.Choices), Answers: slices.Clone(q.Answers), Explanation: q.Explanation,
					Unscored: !q.IsScored(),
				})
			}
		}
		for _, t := range l.Tasks {
			topic := t.Topic
			if topic == "" && len(l.Concepts) > 0 {
				topic = l.Concepts[0]
			}
			out = append(out, Question{ID: l.ID + "/task/" + t.ID, Lesson: l.ID, Topic: topic, Text: t.Text, Task: t.ID,
				Answers: []int{1}, Explanation: "Solved by: " + strings.Join(append(slices.Clone(t.Solution.Commands), t.Solution.Manifests...), "; ")})
		}
	}
	return out
}

// Topics lists the topics of a bank, sorted.
func Topics(bank []Question) []string {
	set := map[string]bool{}
	for _, q := range bank {
		set[q.Topic] = true
	}
	var out []string
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Select picks and shuffles the questions of a quiz. The same bank and
// options always give the same quiz.
func Select(bank []Question, o Options) ([]Question, error) {
	var picked []Question
	for _, q := range bank {
		if (len(o.Topics) == 0 || slices.Contains(o.Topics, q.Topic)) && !(o.NoTasks && q.IsTask()) {
			picked = append(picked, q)
		}
	}
	if len(picked) == 0 {
		if len(o.Topics) > 0 {
			return nil, fmt.Errorf("%w topic(s) %s; topics are: %s", ErrNoQuestions, strings.Join(o.Topics, ", "), strings.Join(Topics(bank), ", "))
		}
		return nil, ErrNoQuestions
	}
	sort.Slice(picked, func(i, j int) bool { return picked[i].ID < picked[j].ID })
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	if o.Count > 0 && o.Count < len(picked) {
		picked = picked[:o.Count]
	}
	for i := range picked {
		if !picked[i].IsTask() { // a task has no options to shuffle
			picked[i] = shuffleChoices(picked[i], r)
		}
	}
	return picked, nil
}

func shuffleChoices(q Question, r *rand.Rand) Question {
	order := r.Perm(len(q.Choices))
	choices := make([]string, len(q.Choices))
	newIndex := make([]int, len(q.Choices))
	for to, from := range order {
		choices[to] = q.Choices[from]
		newIndex[from] = to
	}
	answers := make([]int, len(q.Answers))
	for i, a := range q.Answers {
		answers[i] = newIndex[a]
	}
	sort.Ints(answers)
	q.Choices, q.Answers = choices, answers
	return q
}

// Attempt is one learner taking one quiz.
type Attempt struct {
	ID        string           `json:"id"`
	Seed      uint64           `json:"seed"`
	Started   time.Time        `json:"started"`
	Limit     time.Duration    `json:"limit"`
	Questions []Question       `json:"questions"`
	Answers   map[string][]int `json:"answers"` // question id -> chosen indexes
	Flagged   map[string]bool  `json:"flagged"`
	Submitted time.Time        `json:"submitted,omitzero"`
}

// NewAttempt starts an attempt on questions.
func NewAttempt(qs []Question, o Options, now time.Time) *Attempt {
	return &Attempt{
		ID: now.UTC().Format("20060102T150405"), Seed: o.Seed, Started: now, Limit: o.Time,
		Questions: qs, Answers: map[string][]int{}, Flagged: map[string]bool{},
	}
}

// Answer records the chosen options of a question; it refuses after the
// time limit or once submitted.
func (a *Attempt) Answer(id string, chosen []int, now time.Time) error {
	if !a.Submitted.IsZero() {
		return errors.New("this quiz was already submitted")
	}
	if a.Expired(now) {
		return errors.New("time is up: the answer came after the time limit and was not recorded")
	}
	a.Answers[id] = slices.Sorted(slices.Values(chosen))
	return nil
}

// Expired reports whether the time limit has passed.
func (a *Attempt) Expired(now time.Time) bool {
	return a.Limit > 0 && now.Sub(a.Started) > a.Limit
}

// Remaining is the time left (0 when there is no limit or it passed).
func (a *Attempt) Remaining(now time.Time) time.Duration {
	if a.Limit == 0 {
		return 0
	}
	return max(0, a.Limit-now.Sub(a.Started))
}

// PassMark is the share of the weighted score needed to pass.
const PassMark = 0.7

// TopicScore is how a learner did on one topic.
type TopicScore struct {
	Topic   string   `json:"topic"`
	Right   int      `json:"right"`
	Total   int      `json:"total"`
	Percent float64  `json:"percent"`
	Lessons []string `json:"revisit,omitempty"` // lessons to revisit for wrong answers
}

// Result is a scored attempt.
type Result struct {
	Attempt string       `json:"attempt"`
	Score   float64      `json:"score"` // 0..1, each topic weighing the same
	Passed  bool         `json:"passed"`
	Topics  []TopicScore `json:"topics"`
	Wrong   []string     `json:"wrong"` // question ids answered wrong or not at all, unscored ones too
}

// Score marks every question (all right choices and no wrong ones) and
// weighs topics equally, so a topic with many questions does not drown the
// others. Unscored questions are marked (Wrong lists them) but count in no
// topic; a quiz of only unscored questions scores 0.
func Score(a *Attempt) Result {
	byTopic := map[string]*TopicScore{}
	res := Result{Attempt: a.ID}
	for _, q := range a.Questions {
		if q.Unscored {
			if !slices.Equal(a.Answers[q.ID], q.Answers) {
				res.Wrong = append(res.Wrong, q.ID)
			}
			continue
		}
		ts := byTopic[q.Topic]
		if ts == nil {
			ts = &TopicScore{Topic: q.Topic}
			byTopic[q.Topic] = ts
		}
		ts.Total++
		if slices.Equal(a.Answers[q.ID], q.Answers) {
			ts.Right++
			continue
		}
		res.Wrong = append(res.Wrong, q.ID)
		if !slices.Contains(ts.Lessons, q.Lesson) {
			ts.Lessons = append(ts.Lessons, q.Lesson)
		}
	}
	var sum float64
	for _, ts := range byTopic {
		ts.Percent = float64(ts.Right) / float64(ts.Total)
		sum += ts.Percent
		res.Topics = append(res.Topics, *ts)
	}
	sort.Slice(res.Topics, func(i, j int) bool { return res.Topics[i].Topic < res.Topics[j].Topic })
	if len(res.Topics) > 0 {
		res.Score = sum / float64(len(res.Topics))
	}
	res.Passed = res.Score >= PassMark
	return res
}
