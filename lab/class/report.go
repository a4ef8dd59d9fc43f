package class

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/lesson"
)

// ReportRow is one learner in a class report.
type ReportRow struct {
	Learner         string  `json:"learner"`
	Joined          bool    `json:"joined"` // published progress at least once
	LessonsFinished int     `json:"lessonsFinished"`
	StepsDone       int     `json:"stepsDone"`
	Steps           int     `json:"steps"` // in the curriculum
	Current         string  `json:"current,omitempty"`
	GoalsPassing    string  `json:"goalsPassing,omitempty"` // "2/3" of the open step
	Hints           int     `json:"hints"`
	Attempts        int     `json:"attempts"`
	Minutes         float64 `json:"minutes"`
	LastActive      string  `json:"lastActive,omitempty"` // RFC 3339
	Stuck           string  `json:"stuck,omitempty"`
	Problem         string  `json:"problem,omitempty"`
}

// LessonRow says how far the room got in one lesson.
type LessonRow struct {
	Lesson   string `json:"lesson"`
	Title    string `json:"title"`
	Finished int    `json:"finished"` // learners who finished it
	Started  int    `json:"started"`  // learners with at least one step done
}

// Report is a class's progress at one moment, as `class report` prints it.
type Report struct {
	Class    string      `json:"class"`
	At       time.Time   `json:"at"`
	Learners []ReportRow `json:"learners"`
	Lessons  []LessonRow `json:"lessons"`
}

// NewReport summarises room over the curriculum lessons at now.
func NewReport(room Room, lessons []*lesson.Lesson, now time.Time) Report {
	r := Report{Class: room.Class, At: now}
	total := 0
	for _, l := range lessons {
		total += len(l.Steps)
	}
	for _, l := range lessons {
		lr := LessonRow{Lesson: l.ID, Title: l.Title}
		for _, ln := range room.Learners {
			if p := ln.Progress; p != nil {
				if lp := p.Lessons[l.ID]; lp.Finished {
					lr.Finished++
				} else if len(lp.Done) > 0 {
					lr.Started++
				}
			}
		}
		r.Lessons = append(r.Lessons, lr)
	}
	for _, ln := range room.Learners {
		row := ReportRow{Learner: ln.Name, Steps: total, Problem: ln.Problem}
		if p := ln.Progress; p != nil {
			row.Joined = true
			row.StepsDone = p.StepsDone()
			var spent time.Duration
			for _, lp := range p.Lessons {
				if lp.Finished {
					row.LessonsFinished++
				}
				row.Hints += lp.Hints
				row.Attempts += lp.Attempts
				spent += lp.Time
			}
			row.Minutes = float64(spent.Round(6*time.Second)) / float64(time.Minute)
			if !p.Updated.IsZero() {
				row.LastActive = p.Updated.UTC().Format(time.RFC3339)
			}
			if c := p.Current; c != nil {
				row.Current = fmt.Sprintf("%s %d/%d %s", c.Lesson, c.Index+1, c.Count, c.Title)
				pass := 0
				for _, g := range c.Goals {
					if g.Passing {
						pass++
					}
				}
				row.GoalsPassing = fmt.Sprintf("%d/%d", pass, len(c.Goals))
			}
			row.Stuck = p.Stuck(now)
		}
		r.Learners = append(r.Learners, row)
	}
	return r
}

// Write prints r as md, json or csv (one row per learner).
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"learner", "joined", "lessonsFinished", "stepsDone", "steps", "current", "goalsPassing", "hints", "attempts", "minutes", "lastActive", "stuck", "problem"})
		for _, l := range r.Learners {
			_ = cw.Write([]string{l.Learner, strconv.FormatBool(l.Joined), strconv.Itoa(l.LessonsFinished), strconv.Itoa(l.StepsDone), strconv.Itoa(l.Steps),
				l.Current, l.GoalsPassing, strconv.Itoa(l.Hints), strconv.Itoa(l.Attempts), strconv.FormatFloat(l.Minutes, 'f', 1, 64), l.LastActive, l.Stuck, l.Problem})
		}
		cw.Flush()
		return cw.Error()
	case "md", "":
		return r.writeMarkdown(w)
	}
	return fmt.Errorf("unknown report format %q: use md, json or csv", format)
}

func (r Report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Class %s\n\n%d learners, %s\n\n", r.Class, len(r.Learners), r.At.UTC().Format("2006-01-02 15:04 MST"))
	b.WriteString("| learner | steps done | lessons finished | open step | goals | hints | attempts | minutes | stuck |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, l := range r.Learners {
		if !l.Joined {
			note := "not joined yet"
			if l.Problem != "" {
				note = l.Problem
			}
			fmt.Fprintf(&b, "| %s | %s | | | | | | | |\n", l.Learner, mdCell(note))
			continue
		}
		fmt.Fprintf(&b, "| %s | %d of %d | %d | %s | %s | %d | %d | %.1f | %s |\n", l.Learner, l.StepsDone, l.Steps, l.LessonsFinished,
			mdCell(l.Current), l.GoalsPassing, l.Hints, l.Attempts, l.Minutes, mdCell(l.Stuck))
	}
	b.WriteString("\n| lesson | finished | in progress |\n|---|---|---|\n")
	for _, l := range r.Lessons {
		fmt.Fprintf(&b, "| %s | %d | %d |\n", mdCell(l.Title), l.Finished, l.Started)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
