package class

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/lesson"
)

func TestReport(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	lessons := []*lesson.Lesson{{ID: "cluster", Title: "Cluster", Steps: make([]lesson.Step, 2)}, {ID: "pods", Title: "Pods | basics", Steps: make([]lesson.Step, 3)}}
	room := Room{Class: "ws1", Learners: []Seat{
		{Name: "ana", Progress: &Published{Updated: now, Lessons: map[string]LessonProgress{
			"cluster": {Done: []string{"a", "b"}, Finished: true, Hints: 1, Time: 3 * time.Minute},
			"pods":    {Done: []string{"run"}, Attempts: 2, Time: 90 * time.Second}},
			Current: &CurrentStep{Lesson: "pods", Index: 1, Count: 3, Title: "Where", Goals: []Goal{{Passing: true}, {Since: now.Add(-6 * time.Minute)}}}}},
		{Name: "ben"},
	}}
	r := NewReport(room, lessons, now)
	a := r.Learners[0]
	if a.StepsDone != 3 || a.Steps != 5 || a.LessonsFinished != 1 || a.Hints != 1 || a.Attempts != 2 || a.Minutes != 4.5 || a.GoalsPassing != "1/2" || a.Stuck == "" {
		t.Errorf("ana's row = %+v", a)
	}
	if r.Learners[1].Joined || r.Lessons[0].Finished != 1 || r.Lessons[1].Started != 1 {
		t.Errorf("ben / lessons = %+v / %+v", r.Learners[1], r.Lessons)
	}

	var md, js, cs bytes.Buffer
	for f, w := range map[string]*bytes.Buffer{"md": &md, "json": &js, "csv": &cs} {
		if err := r.Write(w, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if !strings.Contains(md.String(), "| ana | 3 of 5 | 1 | pods 2/3 Where | 1/2 |") || !strings.Contains(md.String(), `Pods \| basics`) || !strings.Contains(md.String(), "| ben | not joined yet |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Learners[0].StepsDone != 3 {
		t.Errorf("json round trip: %v %+v", err, back)
	}
	recs, err := csv.NewReader(&cs).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][0] != "ana" || recs[1][3] != "3" {
		t.Errorf("csv: %v %v", err, recs)
	}
	if err := r.Write(&md, "xml"); err == nil {
		t.Error("an unknown format was accepted")
	}
}
