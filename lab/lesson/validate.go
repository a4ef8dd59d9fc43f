package lesson

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checker validates a decoded lesson, using line numbers indexed by path
// ("steps[1].goals[0].field").
type checker struct {
	fsys     fs.FS
	file     string
	dir      string
	lines    map[string]int
	v        Validators
	problems Problems
}

func (c *checker) index(n *yaml.Node, at string) {
	if n.Kind == yaml.DocumentNode {
		for _, ch := range n.Content {
			c.index(ch, at)
		}
		return
	}
	c.lines[at] = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		for _, msg := range unknownFacts(n.Value) {
			c.problems = append(c.problems, Problem{File: c.file, Line: n.Line, Msg: msg})
		}
		if strings.Contains(at, "questions[") && factRE.MatchString(n.Value) {
			c.problems = append(c.problems, Problem{File: c.file, Line: n.Line,
				Msg: "a question is asked and scored without reading any cluster, so it cannot say {{ cluster.NAME }}: write what it asks in words"})
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			p := key
			if at != "" {
				p = at + "." + key
			}
			c.lines[p] = n.Content[i].Line
			c.index(n.Content[i+1], p)
			c.lines[p] = n.Content[i].Line
		}
	case yaml.SequenceNode:
		for i, ch := range n.Content {
			c.index(ch, fmt.Sprintf("%s[%d]", at, i))
		}
	}
}

// add records a problem at the line of path (or its nearest indexed parent).
func (c *checker) add(at string, format string, args ...any) {
	line := 0
	for p := at; ; {
		if n, ok := c.lines[p]; ok {
			line = n
			break
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			line = c.lines[""] // a setting the lesson lacks: its first line
			break
		}
		p = p[:i]
	}
	c.problems = append(c.problems, Problem{File: c.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var idRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

func (c *checker) lesson(l *Lesson) {
	if l.FormatVersion != FormatVersion {
		c.add("format_version", "format_version is %d; this kubelab reads format_version: %d", l.FormatVersion, FormatVersion)
	}
	c.id("id", l.ID, "lesson id")
	if strings.TrimSpace(l.Title) == "" {
		c.add("title", "the lesson needs a title")
	}
	if strings.TrimSpace(l.Summary) == "" {
		c.add("summary", "the lesson needs a summary (one sentence for the lesson list)")
	}
	if len(l.Concepts) == 0 {
		c.add("concepts", "list the concepts the lesson teaches, e.g. concepts: [pod, label]")
	}
	if l.Minutes <= 0 {
		c.add("minutes", "minutes (the estimated time) must be a positive number")
	}
	if len(l.Backends) == 0 {
		l.Backends = AllBackends() // the default: every backend
	}
	for i, b := range l.Backends {
		if b != "embedded" && b != "kind" {
			c.add(fmt.Sprintf("backends[%d]", i), "unknown backend %q; use embedded or kind", b)
		}
	}
	if len(l.Steps) == 0 {
		c.add("steps", "the lesson has no steps")
	}
	tasks := map[string]bool{}
	for i, t := range l.Tasks {
		at := fmt.Sprintf("tasks[%d]", i)
		if c.id(at+".id", t.ID, "task id") && tasks[t.ID] {
			c.add(at+".id", "task id %q is used twice", t.ID)
		}
		tasks[t.ID] = true
		if strings.TrimSpace(t.Text) == "" {
			c.add(at, "task %q needs text: what the learner must do", t.ID)
		}
		if len(t.Goals) == 0 {
			c.add(at, "task %q has no goals", t.ID)
		}
		if t.Solution.Empty() {
			c.add(at, "task %q has no solution (kubelab verify proves tasks with it)", t.ID)
		}
		for j, m := range t.Setup {
			c.checkManifest(fmt.Sprintf("%s.setup[%d]", at, j), m)
		}
		c.solution(at, t.Solution)
		c.refs(at+".solution", t.Solution)
		for j, g := range t.Goals {
			c.goal(fmt.Sprintf("%s.goals[%d]", at, j), g)
		}
	}
	seen := map[string]bool{}
	for i := range l.Steps {
		at := fmt.Sprintf("steps[%d]", i)
		s := &l.Steps[i]
		if c.id(at+".id", s.ID, "step id") && seen[s.ID] {
			c.add(at+".id", "step id %q is used twice", s.ID)
		}
		if s.BuildsOn != "" && !seen[s.BuildsOn] {
			c.add(at+".builds_on", "builds_on names %q, which is not an earlier step of this lesson", s.BuildsOn)
		}
		seen[s.ID] = true
		c.step(at, s)
	}
}

func (c *checker) id(at, id, what string) bool {
	switch {
	case id == "":
		c.add(at, "%s is missing", what)
		return false
	case !idRE.MatchString(id):
		c.add(at, "%s %q must be lower-case letters, digits and dashes (at most 40)", what, id)
		return false
	}
	return true
}

func (c *checker) step(at string, s *Step) {
	if strings.TrimSpace(s.Title) == "" {
		c.add(at, "step %q needs a title", s.ID)
	}
	if s.TextFile == "" {
		c.add(at, "step %q has no text: name its Markdown file with text_file:", s.ID)
	} else if c.checkFile(at+".text_file", s.TextFile) {
		file := path.Join(c.dir, s.TextFile)
		if data, err := fs.ReadFile(c.fsys, file); err == nil {
			c.factsInText(file, string(data))
		}
	}
	for i, m := range s.Setup {
		c.checkManifest(fmt.Sprintf("%s.setup[%d]", at, i), m)
	}
	if s.Panel != "" && s.Panel != PanelMetrics {
		c.add(at+".panel", "panel %q is not known; the only panel is %q", s.Panel, PanelMetrics)
	}
	goals := map[string]bool{}
	if len(s.Goals) == 0 {
		c.add(at, "step %q has no goals", s.ID)
	}
	for i, g := range s.Goals {
		gat := fmt.Sprintf("%s.goals[%d]", at, i)
		if c.id(gat+".id", g.ID, "goal id") && goals[g.ID] {
			c.add(gat+".id", "goal id %q is used twice in step %q", g.ID, s.ID)
		}
		goals[g.ID] = true
		c.goal(gat, g)
	}
	c.premises(at, s)
	for i, f := range s.Faults {
		fat := fmt.Sprintf("%s.faults[%d]", at, i)
		if f.Type == "" {
			c.add(fat, "a fault needs a type, such as bad-image (the catalogue is in the guide)")
		} else if c.v.Fault != nil {
			if err := c.v.Fault(f.Type, f.Params); err != nil {
				c.add(fat+".type", "%v", err)
			}
		}
	}
	if len(s.Hints) == 0 {
		c.add(at, "step %q has no hints; every step needs at least one", s.ID)
	}
	for i, h := range s.Hints {
		hat := fmt.Sprintf("%s.hints[%d]", at, i)
		if strings.TrimSpace(h.Text) == "" {
			c.add(hat, "a hint needs text")
		}
		if h.Goal != "" && !goals[h.Goal] {
			c.add(hat+".goal", "hint is tied to goal %q, which step %q does not have", h.Goal, s.ID)
		}
	}
	if s.Solution.Empty() {
		c.add(at, "step %q has no solution (solution: commands: or manifests:)", s.ID)
	}
	c.solution(at, s.Solution)
	c.refs(at+".solution", s.Solution)
	c.cases(at, s, goals)
	for i, q := range s.Questions {
		qat := fmt.Sprintf("%s.questions[%d]", at, i)
		if strings.TrimSpace(q.Text) == "" || len(q.Choices) < 2 {
			c.add(qat, "a question needs text and at least two choices")
		}
		if len(q.Answers) == 0 {
			c.add(qat, "a question needs answers (indexes of the right choices, from 0)")
		}
		if !q.IsScored() && strings.TrimSpace(q.Explanation) == "" {
			c.add(qat+".scored", "an unscored question needs an explanation: the learner reads it instead of a score")
		}
		for _, a := range q.Answers {
			if a < 0 || a >= len(q.Choices) {
				c.add(qat+".answers", "answer %d is not a choice (0 to %d)", a, len(q.Choices)-1)
			}
		}
	}
}

func (c *checker) goal(at string, g Goal) {
	what := "goal"
	if strings.Contains(at, ".premises[") {
		what = "premise"
	}
	if g.Kind() == "" {
		c.add(at, "%s %q must have exactly one of exists, field, count, condition, service_ready, cel, running", what, g.ID)
		return
	}
	if strings.TrimSpace(g.Title) == "" {
		c.add(at, "%s %q needs a title (what must be seen, in words)", what, g.ID)
	}
	if g.Hold != "" {
		if d := g.HoldDuration(); d <= 0 {
			c.add(at+".hold", "hold %q is not a duration such as 10s", g.Hold)
		}
	}
	if c.v.Goal != nil {
		if err := c.v.Goal(g); err != nil {
			c.add(at+"."+g.Kind(), "%v", err)
		}
	}
}

// premises checks what a step says must be seen before its solution: goals
// like the step's own, with ids of their own.
func (c *checker) premises(at string, s *Step) {
	ids := map[string]bool{}
	for i, g := range s.Premises {
		pat := fmt.Sprintf("%s.premises[%d]", at, i)
		if c.id(pat+".id", g.ID, "premise id") && ids[g.ID] {
			c.add(pat+".id", "premise id %q is used twice in step %q", g.ID, s.ID)
		}
		ids[g.ID] = true
		c.goal(pat, g)
	}
}

// cases checks a step's accepted and rejected solutions.
func (c *checker) cases(at string, s *Step, goals map[string]bool) {
	for _, list := range []struct {
		key   string
		cases []Case
	}{{"accept", s.Accept}, {"reject", s.Reject}} {
		for i, k := range list.cases {
			kat := fmt.Sprintf("%s.%s[%d]", at, list.key, i)
			if strings.TrimSpace(k.Title) == "" {
				c.add(kat, "each %s case needs a title: the way of solving it, in words", list.key)
			}
			if k.Empty() {
				c.add(kat, "case %q has no commands or manifests", k.Title)
			}
			switch {
			case list.key == "accept" && k.CaughtBy != "":
				c.add(kat+".caught_by", "an accepted solution passes every goal; caught_by belongs to reject cases")
			case list.key == "reject" && k.CaughtBy == "":
				c.add(kat, "rejected case %q must name the goal that catches it (caught_by: GOAL-ID)", k.Title)
			case list.key == "reject" && !goals[k.CaughtBy]:
				c.add(kat+".caught_by", "caught_by names goal %q, which step %q does not have", k.CaughtBy, s.ID)
			}
			c.solutionAt(kat, k.Solution)
			c.refs(kat, k.Solution)
		}
	}
}

// solution checks a solution's commands and the files they and its
// manifests name.
func (c *checker) solution(at string, s Solution) { c.solutionAt(at+".solution", s) }

// solutionAt is solution for one found at path at.
func (c *checker) solutionAt(at string, s Solution) {
	for i, cmd := range s.Commands {
		cat := fmt.Sprintf("%s.commands[%d]", at, i)
		if c.v.Command == nil {
			if !strings.HasPrefix(strings.TrimSpace(cmd), "kubectl ") {
				c.add(cat, "solution commands are kubectl commands; %q is not", cmd)
			}
			continue
		}
		manifests, files, err := c.v.Command(cmd)
		if err != nil {
			c.add(cat, "%v", err)
			continue
		}
		for _, f := range manifests {
			c.checkManifest(cat, f)
		}
		for _, f := range files {
			c.checkFile(cat, f)
		}
	}
	for i, m := range s.Manifests {
		c.checkManifest(fmt.Sprintf("%s.manifests[%d]", at, i), m)
	}
}

func (c *checker) checkFile(at, name string) bool {
	if name == "" || path.IsAbs(name) || strings.Contains(name, "..") {
		c.add(at, "%q must be a file inside the lesson folder", name)
		return false
	}
	if _, err := fs.Stat(c.fsys, path.Join(c.dir, name)); err != nil {
		c.add(at, "file %q does not exist in %s", name, c.dir)
		return false
	}
	return true
}

// checkManifest checks that a manifest file exists and holds only what a
// lesson may apply; its problems name the manifest's own file and line.
func (c *checker) checkManifest(at, name string) {
	if !c.checkFile(at, name) || c.v.Manifest == nil {
		return
	}
	file := path.Join(c.dir, name)
	data, err := fs.ReadFile(c.fsys, file)
	if err != nil {
		c.add(at, "read %s: %v", name, err)
		return
	}
	c.factsInText(file, string(data))
	for _, p := range c.v.Manifest(data) {
		p.File = file
		c.problems = append(c.problems, p)
	}
}
