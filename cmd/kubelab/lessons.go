package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

type lessonInfo struct {
	ID       string     `json:"id"`
	Title    string     `json:"title"`
	Summary  string     `json:"summary"`
	Concepts []string   `json:"concepts"`
	Minutes  int        `json:"minutes"`
	Backends []string   `json:"backends"`
	Steps    []stepInfo `json:"steps"`
	Done     int        `json:"stepsDone"`
}

type stepInfo struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Done  bool   `json:"done"`
}

func newLessonsCommand(streams Streams) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "lessons",
		Short: "List the lessons, with your progress",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			all, prog, err := lessonsWithProgress(streams)
			if err != nil {
				return err
			}
			var infos []lessonInfo
			for _, l := range all {
				info := lessonInfo{ID: l.ID, Title: l.Title, Summary: l.Summary, Concepts: l.Concepts, Minutes: l.Minutes, Backends: l.Backends}
				for _, s := range l.Steps {
					done := false
					if lp := prog.Lessons[l.ID]; lp != nil && lp.Steps[s.ID] != nil {
						done = !lp.Steps[s.ID].Finished.IsZero()
					}
					if done {
						info.Done++
					}
					info.Steps = append(info.Steps, stepInfo{ID: s.ID, Title: s.Title, Done: done})
				}
				infos = append(infos, info)
			}
			if asJSON {
				enc := json.NewEncoder(streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			}
			w := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tTITLE\tSTEPS\tDONE\tMINUTES\tCONCEPTS")
			for _, i := range infos {
				fmt.Fprintf(w, "%s\t%s\t%d\t%d/%d\t%d\t%s\n", i.ID, i.Title, len(i.Steps), i.Done, len(i.Steps), i.Minutes, strings.Join(i.Concepts, ", "))
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
