package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
)

// printProofs prints verify's table: a row per proof, in the lessons' and
// steps' order, with what the in-order proof saw of each fault and premise
// under its row (and, verbose, each solution command's output under every
// row); then each failed lesson's error and the counts.
func printProofs(streams Streams, all []*lesson.Lesson, rows []proofRow, failed map[string]error, verbose bool) {
	order := map[string]int{}
	for i, l := range all {
		order[l.ID] = i * 1000
		for j, st := range l.Steps {
			order[l.ID+"/"+st.ID] = i*1000 + j
		}
	}
	rank := func(r proofRow) int {
		if r.proof.Task {
			return order[r.lesson] + 999
		}
		return order[r.lesson+"/"+r.proof.Step]
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if a, b := rank(rows[i]), rank(rows[j]); a != b {
			return a < b
		}
		return rows[i].proof.Kind < rows[j].proof.Kind
	})
	// The rows are aligned by a tabwriter; the lines under each row are
	// put beneath it afterwards, so that their widths leave the columns be.
	var table bytes.Buffer
	w := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "LESSON\tSTEP\tPROOF\tFAILS BEFORE\tAFTER THE SOLUTION\tTOOK")
	unders := make([][]string, len(rows))
	counts := map[engine.ProofKind]int{}
	for i, r := range rows {
		under := func(format string, args ...any) {
			unders[i] = append(unders[i], "    "+fmt.Sprintf(format, args...))
		}
		p := r.proof
		step, proof := p.Step, p.Kind.String()
		if p.Task {
			step = "task " + p.Step
		}
		if p.Case != "" {
			proof += ": " + p.Case
		}
		if p.Err == nil {
			counts[p.Kind]++
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.lesson, step, trim(proof, 48), yesNo(p.FailedBefore), afterWord(p), took(p))
		if p.Kind == engine.InOrder {
			for _, f := range p.Faults {
				under("fault at +%s: %s", f.After.Round(100*time.Millisecond), f.Message)
			}
			for _, pr := range p.Premises {
				if pr.Seen {
					under("premise %s seen at +%s: %s", pr.ID, pr.After.Round(100*time.Millisecond), pr.Title)
				} else {
					under("premise %s NOT SEEN: %s", pr.ID, pr.Title)
				}
			}
		}
		if verbose {
			for _, o := range p.Output {
				under("$ %s", o.Command)
				for _, line := range strings.Split(strings.TrimRight(o.Output, "\n"), "\n") {
					if strings.TrimSpace(line) != "" {
						under("  %s", line)
					}
				}
			}
		}
	}
	_ = w.Flush()
	lines := strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n")
	fmt.Fprintln(streams.Out, lines[0])
	for i, line := range lines[1:] {
		fmt.Fprintln(streams.Out, strings.TrimRight(line, " "))
		for _, u := range unders[i] {
			fmt.Fprintln(streams.Out, u)
		}
	}
	for _, l := range all {
		if err, ok := failed[l.ID]; ok {
			fmt.Fprintf(streams.Out, "\n%s\n", strings.TrimSpace(err.Error()))
		}
	}
	fmt.Fprintf(streams.Out, "\nProven: %d in order, %d alone, %d accepted, %d rejected solution(s).\n",
		counts[engine.InOrder], counts[engine.Alone], counts[engine.Accepted], counts[engine.Rejected])
}

// afterWord is what the AFTER THE SOLUTION column says of p.
func afterWord(p engine.StepProof) string {
	switch {
	case !p.Ran:
		return "not run"
	case p.Kind == engine.Rejected && p.Caught:
		return "caught"
	case p.Kind == engine.Rejected && p.PassedAfter:
		return "PASSES"
	case p.PassedAfter:
		return "passes"
	}
	return "FAILS"
}

func took(p engine.StepProof) string {
	if p.Kind != engine.Rejected && p.PassedAfter {
		return p.SolutionTook.Round(10 * time.Millisecond).String()
	}
	return "-"
}

// trim shortens s to at most n runes, ending in "…" when cut.
func trim(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}
