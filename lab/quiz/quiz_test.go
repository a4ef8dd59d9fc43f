package quiz

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/lesson"
)

func bank() []Question {
	mk := func(l, id, topic string, answers ...int) Question {
		return Question{ID: l + "/" + id, Lesson: l, Topic: topic, Text: id + "?", Choices: []string{"a-" + id, "b-" + id, "c-" + id, "d-" + id}, Answers: answers}
	}
	return []Question{
		mk("pods", "q1", "pods", 1), mk("pods", "q2", "pods", 0, 2), mk("pods", "q3", "pods", 3),
		mk("svc", "q4", "services", 2), mk("rs", "q5", "replicaset", 0),
	}
}

func TestBankFromLessons(t *testing.T) {
	t.Parallel()
	l := &lesson.Lesson{ID: "pods", Concepts: []string{"pod"}, Steps: []lesson.Step{{Questions: []lesson.Question{
		{ID: "a", Text: "?", Choices: []string{"x", "y"}, Answers: []int{1}},
		{ID: "b", Text: "?", Choices: []string{"x", "y"}, Answers: []int{0}, Topic: "node"},
	}}}}
	b := Bank([]*lesson.Lesson{l})
	if len(b) != 2 || b[0].ID != "pods/a" || b[0].Topic != "pod" || b[1].Topic != "node" {
		t.Fatalf("bank = %+v", b)
	}
}

func TestSameSeedSameQuizAndAnswersFollowTheirChoices(t *testing.T) {
	t.Parallel()
	o := Options{Seed: 42, Count: 4}
	a, err := Select(bank(), o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Select(bank(), o)
	if len(a) != 4 || !slices.EqualFunc(a, b, func(x, y Question) bool { return x.ID == y.ID && slices.Equal(x.Choices, y.Choices) }) {
		t.Fatal("the same seed gave different quizzes")
	}
	c, _ := Select(bank(), Options{Seed: 43, Count: 4})
	if slices.EqualFunc(a, c, func(x, y Question) bool { return x.ID == y.ID && slices.Equal(x.Choices, y.Choices) }) {
		t.Error("another seed gave the same quiz")
	}
	orig := map[string]Question{}
	for _, q := range bank() {
		orig[q.ID] = q
	}
	for _, q := range a {
		var want, got []string
		for _, i := range orig[q.ID].Answers {
			want = append(want, orig[q.ID].Choices[i])
		}
		for _, i := range q.Answers {
			got = append(got, q.Choices[i])
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("%s: right choices %v after shuffling, want %v", q.ID, got, want)
		}
	}
}

func TestNoQuestionsForATopicIsExplained(t *testing.T) {
	t.Parallel()
	_, err := Select(bank(), Options{Topics: []string{"storage"}})
	if !errors.Is(err, ErrNoQuestions) || !strings.Contains(err.Error(), "pods, replicaset, services") {
		t.Fatalf("err = %v", err)
	}
}

func TestScoreWeighsTopicsEquallyAndNamesLessonsToRevisit(t *testing.T) {
	t.Parallel()
	qs, _ := Select(bank(), Options{Seed: 1})
	a := NewAttempt(qs, Options{}, time.Now())
	for _, q := range qs {
		if q.Topic == "pods" { // all three pods questions right, the others wrong
			_ = a.Answer(q.ID, q.Answers, time.Now())
		}
	}
	r := Score(a)
	if len(r.Topics) != 3 || r.Score < 0.33 || r.Score > 0.34 || r.Passed {
		t.Fatalf("result = %+v", r)
	}
	for _, ts := range r.Topics {
		if ts.Topic == "services" && (ts.Percent != 0 || !slices.Equal(ts.Lessons, []string{"svc"})) {
			t.Errorf("services = %+v", ts)
		}
	}
}

func TestTimeLimitRefusesLateAnswers(t *testing.T) {
	t.Parallel()
	qs, _ := Select(bank(), Options{Seed: 1})
	start := time.Now()
	a := NewAttempt(qs, Options{Time: time.Minute}, start)
	if err := a.Answer(qs[0].ID, qs[0].Answers, start.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := a.Answer(qs[1].ID, qs[1].Answers, start.Add(61*time.Second)); err == nil || !strings.Contains(err.Error(), "time is up") {
		t.Fatalf("late answer: %v", err)
	}
	if _, ok := a.Answers[qs[1].ID]; ok {
		t.Fatal("a late answer was recorded")
	}
}

func TestQuitMidQuizResumesAndFinishSavesTheResult(t *testing.T) {
	t.Parallel()
	s := Store{Dir: filepath.Join(t.TempDir(), "quiz")}
	qs, _ := Select(bank(), Options{Seed: 7})
	a := NewAttempt(qs, Options{}, time.Now())
	_ = a.Answer(qs[0].ID, qs[0].Answers, time.Now())
	a.Flagged[qs[1].ID] = true
	if err := s.Save(a); err != nil {
		t.Fatal(err)
	}
	back, err := s.Current()
	if err != nil || back == nil || !slices.Equal(back.Answers[qs[0].ID], qs[0].Answers) || !back.Flagged[qs[1].ID] {
		t.Fatalf("resumed = %+v, %v", back, err)
	}
	r, err := s.Finish(back, time.Now())
	if err != nil || r.Attempt != a.ID {
		t.Fatal(err)
	}
	if cur, _ := s.Current(); cur != nil {
		t.Fatal("the finished attempt is still in progress")
	}
	if saved, _ := filepath.Glob(filepath.Join(s.Dir, "results", "*.json")); len(saved) != 1 {
		t.Fatalf("saved results = %v", saved)
	}
}

func TestDamagedAttemptIsKeptAsideAndExplained(t *testing.T) {
	t.Parallel()
	s := Store{Dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(s.Dir, "current.json"), []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := s.Current()
	if a != nil || err == nil || !strings.Contains(err.Error(), "could not be read") {
		t.Fatalf("a = %v, err = %v", a, err)
	}
	if kept, _ := filepath.Glob(filepath.Join(s.Dir, "current.json.corrupt-*")); len(kept) != 1 {
		t.Fatalf("backup = %v", kept)
	}
}

func TestUnscoredQuestionsAreMarkedButCountInNoTopic(t *testing.T) {
	t.Parallel()
	no := false
	l := &lesson.Lesson{ID: "k8s", Concepts: []string{"kubernetes"}, Steps: []lesson.Step{{Questions: []lesson.Question{
		{ID: "scored", Text: "?", Choices: []string{"x", "y"}, Answers: []int{1}},
		{ID: "logo", Text: "?", Choices: []string{"x", "y"}, Answers: []int{0}, Topic: "trivia", Scored: &no},
	}}}}
	b := Bank([]*lesson.Lesson{l})
	if b[0].Unscored || !b[1].Unscored {
		t.Fatalf("bank = %+v", b)
	}
	a := NewAttempt(b, Options{}, time.Now())
	_ = a.Answer("k8s/scored", b[0].Answers, time.Now()) // the trivia question is left wrong
	r := Score(a)
	if len(r.Topics) != 1 || r.Topics[0].Topic != "kubernetes" || r.Score != 1 || !r.Passed {
		t.Fatalf("a wrong unscored answer changed the score: %+v", r)
	}
	if !slices.Equal(r.Wrong, []string{"k8s/logo"}) {
		t.Fatalf("wrong = %v, want the unscored question marked wrong", r.Wrong)
	}
	only := NewAttempt(b[1:], Options{}, time.Now())
	_ = only.Answer("k8s/logo", b[1].Answers, time.Now())
	if r := Score(only); r.Passed || len(r.Topics) != 0 {
		t.Fatalf("a quiz of only unscored questions passed: %+v", r)
	}
}
