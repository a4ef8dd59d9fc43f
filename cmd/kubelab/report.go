package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lab/quiz"
)

// reportRow is one step of one lesson in the progress report.
type reportRow struct {
	Lesson           string  `json:"lesson"`
	Step             string  `json:"step"`
	Title            string  `json:"title"`
	Started          string  `json:"started,omitempty"`
	Finished         string  `json:"finished,omitempty"`
	Attempts         int     `json:"attempts"`
	HintsShown       int     `json:"hintsShown"`
	SolutionRevealed bool    `json:"solutionRevealed"`
	Resets           int     `json:"resets"`
	MinutesSpent     float64 `json:"minutesSpent"`
}

func newReportCommand(streams Streams) *cobra.Command {
	var format, out string
	var quizOnly bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Export your progress as JSON, CSV or Markdown",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			all, prog, err := lessonsWithProgress(streams)
			if err != nil {
				return err
			}
			rows := reportRows(all, prog)
			quizzes, err := host.QuizStore("").Results()
			if err != nil {
				fmt.Fprintln(streams.Err, "kubelab: warning: "+err.Error())
			}
			w := streams.Out
			var buf *bytesWriter
			if out != "" {
				buf = &bytesWriter{}
				w = buf
			}
			switch format {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				err = enc.Encode(map[string]any{"generated": time.Now().UTC().Format(time.RFC3339), "steps": rows, "quizzes": quizRows(quizzes)})
			case "csv":
				if quizOnly {
					err = writeQuizCSV(w, quizRows(quizzes))
				} else {
					err = writeCSV(w, rows)
				}
			case "md", "markdown":
				err = writeMarkdown(w, rows, quizRows(quizzes))
			default:
				return fmt.Errorf("unknown format %q; use json, csv or md", format)
			}
			if err != nil || buf == nil {
				return err
			}
			return atomicfile.Write(out, buf.data, 0o644)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "json, csv or md")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file (atomically) instead of standard output")
	cmd.Flags().BoolVar(&quizOnly, "quizzes", false, "with --format csv: the quiz results instead of the steps")
	return cmd
}

type bytesWriter struct{ data []byte }

func (b *bytesWriter) Write(p []byte) (int, error) { b.data = append(b.data, p...); return len(p), nil }

func reportRows(all []*lesson.Lesson, f progress.File) []reportRow {
	var rows []reportRow
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, l := range all {
		lp := f.Lessons[l.ID]
		for _, s := range l.Steps {
			r := reportRow{Lesson: l.ID, Step: s.ID, Title: s.Title}
			if lp != nil && lp.Steps[s.ID] != nil {
				st := lp.Steps[s.ID]
				r.Started, r.Finished = stamp(st.Started), stamp(st.Finished)
				r.Attempts, r.HintsShown, r.SolutionRevealed, r.Resets = st.Attempts, st.HintsShown, st.SolutionRevealed, st.Resets
				r.MinutesSpent = float64(int(st.TimeSpent.Minutes()*10)) / 10
			}
			rows = append(rows, r)
		}
	}
	return rows
}

func writeCSV(w io.Writer, rows []reportRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"lesson", "step", "title", "started", "finished", "attempts", "hints_shown", "solution_revealed", "resets", "minutes_spent"})
	for _, r := range rows {
		_ = cw.Write([]string{r.Lesson, r.Step, r.Title, r.Started, r.Finished, strconv.Itoa(r.Attempts), strconv.Itoa(r.HintsShown),
			strconv.FormatBool(r.SolutionRevealed), strconv.Itoa(r.Resets), strconv.FormatFloat(r.MinutesSpent, 'f', 1, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// quizRow is one finished quiz in the report.
type quizRow struct {
	Attempt   string             `json:"attempt"`
	Submitted string             `json:"submitted"`
	Questions int                `json:"questions"`
	Score     float64            `json:"scorePercent"`
	Passed    bool               `json:"passed"`
	Topics    map[string]float64 `json:"topicPercent"`
}

func quizRows(saved []quiz.Saved) []quizRow {
	var out []quizRow
	for _, s := range saved {
		r := quizRow{Attempt: s.Attempt.ID, Submitted: s.Attempt.Submitted.UTC().Format(time.RFC3339), Questions: len(s.Attempt.Questions),
			Score: float64(int(s.Result.Score*1000)) / 10, Passed: s.Result.Passed, Topics: map[string]float64{}}
		for _, t := range s.Result.Topics {
			r.Topics[t.Topic] = float64(int(t.Percent*1000)) / 10
		}
		out = append(out, r)
	}
	return out
}

func writeQuizCSV(w io.Writer, rows []quizRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"attempt", "submitted", "questions", "score_percent", "passed", "topic", "topic_percent"})
	for _, r := range rows {
		for topic, p := range r.Topics {
			_ = cw.Write([]string{r.Attempt, r.Submitted, strconv.Itoa(r.Questions), strconv.FormatFloat(r.Score, 'f', 1, 64), strconv.FormatBool(r.Passed), topic, strconv.FormatFloat(p, 'f', 1, 64)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeMarkdown(w io.Writer, rows []reportRow, quizzes []quizRow) error {
	done := 0
	for _, r := range rows {
		if r.Finished != "" {
			done++
		}
	}
	fmt.Fprintf(w, "# kubelab progress\n\n%d of %d steps done.\n\n", done, len(rows))
	fmt.Fprintln(w, "| lesson | step | done | attempts | hints | solution shown | resets | minutes |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		mark := ""
		if r.Finished != "" {
			mark = "✓"
		}
		sol := ""
		if r.SolutionRevealed {
			sol = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %s | %d | %.1f |\n", r.Lesson, r.Title, mark, r.Attempts, r.HintsShown, sol, r.Resets, r.MinutesSpent)
	}
	if len(quizzes) > 0 {
		fmt.Fprintln(w, "\n## Quizzes\n\n| submitted | questions | score | passed |\n|---|---|---|---|")
		for _, q := range quizzes {
			passed := "no"
			if q.Passed {
				passed = "yes"
			}
			fmt.Fprintf(w, "| %s | %d | %.1f%% | %s |\n", q.Submitted, q.Questions, q.Score, passed)
		}
	}
	return nil
}
