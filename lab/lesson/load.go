package lesson

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a lesson file.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is every problem found while loading; its Error lists them one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Validators check what this package cannot know by itself: fault kinds and
// their parameters (lab/fault), goal expressions (lab/check).
type Validators struct {
	Fault func(kind string, params map[string]string) error
	Goal  func(g Goal) error
	// Command checks a solution command against what a lesson may do
	// (lab/policy) and returns the lesson files it names: manifests to
	// apply (-f), and other files (--from-file).
	Command func(cmd string) (manifests, files []string, err error)
	// Manifest checks the objects of a manifest file; a problem's File is
	// left empty and filled in here.
	Manifest func(data []byte) []Problem
	// Ref checks a solution command's {{ object path }}: the object
	// (kind/name) and the path, a kubectl JSONPath template such as {.status.podIP}.
	Ref func(object, path string) error
}

// LoadAll loads every lesson folder (a folder holding lesson.yaml) directly
// under root in fsys. Lessons come back sorted by folder name.
func LoadAll(fsys fs.FS, root string, v Validators) ([]*Lesson, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, err
	}
	var lessons []*Lesson
	var problems Problems
	ids := map[string]string{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := path.Join(root, e.Name())
		if _, err := fs.Stat(fsys, path.Join(dir, "lesson.yaml")); err != nil {
			continue
		}
		l, err := Load(fsys, dir, v)
		var ps Problems
		if errors.As(err, &ps) {
			problems = append(problems, ps...)
			continue
		}
		if err != nil {
			return nil, err
		}
		if other, dup := ids[l.ID]; dup {
			problems = append(problems, Problem{File: path.Join(dir, "lesson.yaml"), Line: 1, Msg: fmt.Sprintf("lesson id %q is already used by %s", l.ID, other)})
			continue
		}
		ids[l.ID] = dir
		lessons = append(lessons, l)
	}
	if len(problems) > 0 {
		return lessons, problems
	}
	return lessons, nil
}

// Load reads and validates the lesson in folder dir of fsys.
func Load(fsys fs.FS, dir string, v Validators) (*Lesson, error) {
	file := path.Join(dir, "lesson.yaml")
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	var l Lesson
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var decoded Problems
	if err := dec.Decode(&l); err != nil {
		// Unknown fields and values of the wrong type still leave the rest
		// decoded: check it too, so that one run shows every problem.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlProblems(file, err)
		}
		decoded = yamlProblems(file, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlProblems(file, err)
	}
	l.Dir = dir
	c := &checker{fsys: fsys, file: file, dir: dir, lines: map[string]int{}, v: v}
	c.index(&root, "")
	if l.FormatVersion == 1 {
		c.formatV1(&l)
	}
	c.lesson(&l)
	c.problems = merge(decoded, c.problems)
	if len(c.problems) > 0 {
		// lesson.yaml's problems first, then each manifest's, by line.
		sort.SliceStable(c.problems, func(i, j int) bool {
			a, b := c.problems[i], c.problems[j]
			if a.File != b.File {
				return a.File == file || (b.File != file && a.File < b.File)
			}
			return a.Line < b.Line
		})
		return nil, c.problems
	}
	return &l, nil
}

// merge puts the decoder's problems before the checker's, leaving out a
// checker's problem on a line whose value did not decode (it would say the
// same thing again: "minutes must be a positive number" after "cannot
// unmarshal !!str `five` into int").
func merge(decoded, checked Problems) Problems {
	bad := map[int]bool{}
	for _, p := range decoded {
		if !strings.HasPrefix(p.Msg, "unknown field ") {
			bad[p.Line] = true
		}
	}
	out := append(Problems{}, decoded...)
	for _, p := range checked {
		if p.File != decoded.file() || !bad[p.Line] {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) file() string {
	if len(ps) == 0 {
		return ""
	}
	return ps[0].File
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// yamlProblems turns yaml's errors ("yaml: unmarshal errors:\n  line 5:
// field x not found in type lesson.Step") into file:line problems.
func yamlProblems(file string, err error) Problems {
	var ps Problems
	for _, line := range strings.Split(err.Error(), "\n") {
		m := yamlLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		msg := m[2]
		if f, typ, ok := strings.Cut(strings.TrimPrefix(msg, "field "), " not found in type "); ok && strings.HasPrefix(msg, "field ") {
			msg = fmt.Sprintf("unknown field %q in %s", f, friendlyType(typ))
		}
		ps = append(ps, Problem{File: file, Line: n, Msg: msg})
	}
	if len(ps) == 0 {
		ps = append(ps, Problem{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")})
	}
	return ps
}

func friendlyType(t string) string {
	t = strings.TrimPrefix(t, "lesson.")
	words := map[string]string{"Lesson": "the lesson", "Step": "a step", "Goal": "a goal", "Hint": "a hint", "Fault": "a fault",
		"Solution": "a solution", "Question": "a question"}
	if w, ok := words[t]; ok {
		return w
	}
	return "a " + strings.TrimSuffix(t, "Goal") + " goal"
}

// ReadFile reads a file a lesson names (text_file, setup, solution
// manifests, files a command gives kubectl), with its {{ cluster.NAME }}
// filled in (the lesson's facts once localized, else those of kubelab's
// own clusters).
func (l *Lesson) ReadFile(fsys fs.FS, name string) ([]byte, error) {
	data, err := fs.ReadFile(fsys, path.Join(l.Dir, name))
	if err != nil || !bytes.Contains(data, []byte("{{")) {
		return data, err
	}
	return []byte(ExpandFacts(string(data), l.Facts())), nil
}

// StepText returns a step's Markdown, from text or text_file, with its
// {{ cluster.NAME }} filled in (the lesson's facts once localized, else
// those of kubelab's own clusters).
func (l *Lesson) StepText(fsys fs.FS, s *Step) (string, error) {
	if s.TextFile == "" {
		return ExpandFacts(s.Text, l.Facts()), nil
	}
	data, err := l.ReadFile(fsys, s.TextFile)
	return string(data), err
}
