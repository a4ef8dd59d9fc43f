package quiz_test

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/lessons"
)

// A strategy answers a question from its choices alone, never reading the
// question: what a test-taker who knows no Kubernetes can still do.
type strategy struct {
	name string
	pick func(q quiz.Question) []int
}

// The habits the built-in bank must not reward:
//
//   - longest: a single-answer question gets its longest choice (the right
//     one is the careful, detailed one); a "choose all" question gets every
//     choice longer than the mean of its choices.
//   - shortest: the reverse, for a bank that over-corrected.
//   - odd one out: one choice stands out from the others; a single-answer
//     question gets it (the one unlike the rest is right), a "choose all"
//     question gets every choice but it (three right and one absurd). Played
//     twice, with two ways to stand out: by length (the choice whose length
//     is farthest from the mean of the others'), and by words (the choice
//     whose word set is least like the others': the lowest sum of Jaccard
//     similarities to each other choice).
//
// Ties go to the first in the quiz's shuffled order; each strategy plays
// the whole bank under several seeds and its scores are averaged, so a
// tie-break cannot favour it.
var strategies = []strategy{
	{"longest", func(q quiz.Question) []int {
		if !q.Multiple() {
			return []int{argmax(len(q.Choices), func(i int) float64 { return float64(len(q.Choices[i])) })}
		}
		var sum float64
		for _, c := range q.Choices {
			sum += float64(len(c))
		}
		var out []int
		for i, c := range q.Choices {
			if float64(len(c)) > sum/float64(len(q.Choices)) {
				out = append(out, i)
			}
		}
		return out
	}},
	// shortest: the over-correction of "longest" (a bank whose writers
	// padded the wrong choices): the shortest choice, or every choice
	// shorter than the mean.
	{"shortest", func(q quiz.Question) []int {
		if !q.Multiple() {
			return []int{argmax(len(q.Choices), func(i int) float64 { return -float64(len(q.Choices[i])) })}
		}
		var sum float64
		for _, c := range q.Choices {
			sum += float64(len(c))
		}
		var out []int
		for i, c := range q.Choices {
			if float64(len(c)) < sum/float64(len(q.Choices)) {
				out = append(out, i)
			}
		}
		return out
	}},
	{"odd one out (length)", oddOneOut(func(q quiz.Question, i int) float64 {
		var sum float64
		for j, c := range q.Choices {
			if j != i {
				sum += float64(len(c))
			}
		}
		return math.Abs(float64(len(q.Choices[i])) - sum/float64(len(q.Choices)-1))
	})},
	{"odd one out (words)", oddOneOut(func(q quiz.Question, i int) float64 {
		var sim float64
		for j, c := range q.Choices {
			if j != i {
				sim += jaccard(wordSet(q.Choices[i]), wordSet(c))
			}
		}
		return -sim
	})},
}

// oddOneOut is the strategy that finds the odd choice by oddness (the
// highest is the odd one).
func oddOneOut(oddness func(q quiz.Question, i int) float64) func(q quiz.Question) []int {
	return func(q quiz.Question) []int {
		odd := argmax(len(q.Choices), func(i int) float64 { return oddness(q, i) })
		if !q.Multiple() {
			return []int{odd}
		}
		var out []int
		for i := range q.Choices {
			if i != odd {
				out = append(out, i)
			}
		}
		return out
	}
}

func argmax(n int, score func(i int) float64) int {
	best := 0
	for i := 1; i < n; i++ {
		if score(i) > score(best) {
			best = i
		}
	}
	return best
}

func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		set[w] = true
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	both := 0
	for w := range a {
		if b[w] {
			both++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}

const seeds = 20

// No habit passes a quiz of the whole built-in bank. The test logs each
// strategy's score and its share of right answers per lesson, and how many
// single-answer questions of each lesson have their right answer longest.
func TestTheBankCannotBePassedByATrick(t *testing.T) {
	t.Parallel()
	all, err := lesson.LoadAll(lessons.FS(), ".", lesson.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	bank := quiz.Bank(all)
	var order []string
	for _, l := range all {
		order = append(order, l.ID)
	}
	logLongest(t, bank, order)
	for _, s := range strategies {
		var score float64
		right, asked := map[string]float64{}, map[string]int{}
		for seed := range uint64(seeds) {
			o := quiz.Options{Seed: seed, NoTasks: true}
			qs, err := quiz.Select(bank, o)
			if err != nil {
				t.Fatal(err)
			}
			a := quiz.NewAttempt(qs, o, time.Now())
			for _, q := range qs {
				if err := a.Answer(q.ID, s.pick(q), time.Now()); err != nil {
					t.Fatal(err)
				}
				if q.Unscored {
					continue
				}
				asked[q.Lesson]++
				if slices.Equal(a.Answers[q.ID], q.Answers) {
					right[q.Lesson]++
				}
			}
			score += quiz.Score(a).Score / seeds
		}
		var per []string
		for _, id := range order {
			if asked[id] > 0 {
				per = append(per, fmt.Sprintf("%s %.0f%%", id, 100*right[id]/float64(asked[id])))
			}
		}
		t.Logf("strategy %q scores %.0f%% (pass mark %.0f%%); right per lesson: %s", s.name, 100*score, 100*quiz.PassMark, strings.Join(per, ", "))
		if score >= quiz.PassMark {
			t.Errorf("always answering by %q passes the quiz: %.0f%% >= %.0f%%; rework the distractors of the lessons that score high above", s.name, 100*score, 100*quiz.PassMark)
		}
	}
}

// logLongest logs, per lesson, how many scored single-answer questions
// have their right answer as the (strictly) longest choice.
func logLongest(t *testing.T, bank []quiz.Question, order []string) {
	longest, singles := map[string]int{}, map[string]int{}
	for _, q := range bank {
		if q.IsTask() || q.Unscored || q.Multiple() {
			continue
		}
		singles[q.Lesson]++
		right := len(q.Choices[q.Answers[0]])
		strict := true
		for i, c := range q.Choices {
			if i != q.Answers[0] && len(c) >= right {
				strict = false
			}
		}
		if strict {
			longest[q.Lesson]++
		}
	}
	var per []string
	for _, id := range order {
		per = append(per, fmt.Sprintf("%s %d/%d", id, longest[id], singles[id]))
	}
	t.Logf("single-answer questions whose right answer is the longest: %s", strings.Join(per, ", "))
}
