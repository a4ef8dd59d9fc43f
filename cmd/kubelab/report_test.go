package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/quiz"
)

const sampleProgress = `{"version":1,"lessons":{"pods":{"started":"2026-11-27T07:00:00Z","current":"run","steps":{"run":{"started":"2026-11-27T07:00:00Z","finished":"2026-11-27T07:03:00Z","attempts":2,"hintsShown":1,"solutionRevealed":true,"resets":1,"timeSpent":180000000000}}}},"last":"pods"}`

func TestReportExportsProgressInThreeFormats(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	state := filepath.Join(c.home, "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "progress.json"), []byte(sampleProgress), 0o600); err != nil {
		t.Fatal(err)
	}
	_, all, err := loadLessons()
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, l := range all {
		steps += len(l.Steps)
	}
	rows, err := csv.NewReader(strings.NewReader(c.ok("report", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows[1:] {
		if strings.Join(r, ",") == "pods,run,Run a pod,2026-11-27T07:00:00Z,2026-11-27T07:03:00Z,2,1,true,1,3.0" {
			found = true
		}
	}
	if len(rows) != steps+1 || !found {
		t.Fatalf("csv rows = %v", rows)
	}
	var doc struct {
		Steps []reportRow `json:"steps"`
	}
	out := filepath.Join(t.TempDir(), "report.json")
	c.ok("report", "--format", "json", "-o", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var podsRun reportRow
	if err := json.Unmarshal(data, &doc); err == nil {
		for _, r := range doc.Steps {
			if r.Lesson == "pods" && r.Step == "run" {
				podsRun = r
			}
		}
	}
	if len(doc.Steps) != steps || podsRun.Attempts != 2 || !podsRun.SolutionRevealed {
		t.Fatalf("json = %s", data)
	}
	if md := c.ok("report"); !strings.Contains(md, fmt.Sprintf("1 of %d steps done.", steps)) || !strings.Contains(md, "| pods | Run a pod | ✓ | 2 | 1 | yes | 1 | 3.0 |") {
		t.Fatalf("markdown:\n%s", md)
	}
}

func TestCorruptProgressIsBackedUpWithAClearMessage(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	state := filepath.Join(c.home, "state")
	if err := os.MkdirAll(state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "progress.json"), []byte(`{"version":1,"lessons":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	out := c.ok("lessons")
	if !strings.Contains(out, "progress file") || !strings.Contains(out, "damaged") || !strings.Contains(out, "pods") {
		t.Fatalf("lessons with a damaged progress file:\n%s", out)
	}
	backups, _ := filepath.Glob(filepath.Join(state, "progress.json.corrupt-*"))
	if len(backups) != 1 {
		t.Fatalf("backups = %v", backups)
	}
}

func TestReportIncludesQuizResultsAndKeepsDamagedOnesAside(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	store := quiz.Store{Dir: filepath.Join(c.home, "state", "quiz")}
	qs := []quiz.Question{{ID: "pods/a", Lesson: "pods", Topic: "pods", Text: "?", Choices: []string{"x", "y"}, Answers: []int{1}}}
	a := quiz.NewAttempt(qs, quiz.Options{}, time.Now())
	if err := a.Answer("pods/a", []int{1}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Finish(a, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(store.Dir, "results", "zz.json"), []byte("{oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	md := c.ok("report")
	if !strings.Contains(md, "## Quizzes") || !strings.Contains(md, "| 1 | 100.0% | yes |") || !strings.Contains(md, "damaged and kept aside") {
		t.Fatalf("markdown:\n%s", md)
	}
	rows, err := csv.NewReader(strings.NewReader(c.ok("report", "--format", "csv", "--quizzes"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][5] != "pods" || rows[1][6] != "100.0" {
		t.Fatalf("quiz csv = %v, %v", rows, err)
	}
}
