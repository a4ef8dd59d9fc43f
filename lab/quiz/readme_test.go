package quiz_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/lessons"
)

// The README's curriculum paragraph says how many lessons, minutes,
// questions and tasks there are: it must say what the built-in lessons hold.
func TestTheREADMECountsTheBank(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	all, err := lesson.LoadAll(lessons.FS(), ".", lesson.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	minutes, questions, unscored, tasks := 0, 0, 0, 0
	for _, l := range all {
		minutes += l.Minutes
	}
	for _, q := range quiz.Bank(all) {
		switch {
		case q.IsTask():
			tasks++
		case q.Unscored:
			unscored++
			questions++
		default:
			questions++
		}
	}
	find := func(re string) []int {
		m := regexp.MustCompile(re).FindSubmatch(readme)
		if m == nil {
			t.Fatalf("README.md has no %q", re)
		}
		var out []int
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(string(g))
			out = append(out, n)
		}
		return out
	}
	said := find(`(\d+) lessons \((\d+) steps\), about (\d+) hours? (\d+) minutes`)
	steps := 0
	for _, l := range all {
		steps += len(l.Steps)
	}
	if said[0] != len(all) || said[1] != steps || abs(said[2]*60+said[3]-minutes) > 5 {
		t.Errorf("README.md says %d lessons, %d steps, about %dh%02d; the lessons are %d, %d steps, %dh%02d", said[0], said[1], said[2], said[3], len(all), steps, minutes/60, minutes%60)
	}
	if q := find(`\((\d+) in all, (\d+) of them unscored`); q[0] != questions || q[1] != unscored {
		t.Errorf("README.md says %d questions, %d unscored; the bank has %d, %d unscored", q[0], q[1], questions, unscored)
	}
	if n := find(`(\d+) hands-on tasks`); n[0] != tasks {
		t.Errorf("README.md says %d hands-on tasks; the lessons hold %d", n[0], tasks)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
