package lesson

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// Facts are what a lesson may say of the cluster it runs on, written
// {{ cluster.NAME }} in a step's text, its goals, hints, faults and
// commands: kubelab's own clusters have two workers and a control plane
// named kubelab-control-plane, but a class's shared cluster has the nodes
// its owner gave it. The engine fills them in from the cluster's nodes
// (Localize); where none were read, DefaultFacts stand.
type Facts map[string]string

// The facts a lesson may use.
const (
	FactNodes        = "nodes"         // how many nodes the cluster has
	FactWorkers      = "workers"       // how many of them are not the control plane
	FactControlPlane = "control-plane" // the first control-plane node's name; "" where the cluster shows none
	FactWorker       = "worker"        // the first worker's name
	// FactStorageClass is the default StorageClass's name ("" where the
	// cluster has none); it stays kubelab's "standard" where StorageClasses
	// cannot be read.
	FactStorageClass = "storage-class"
)

// factNames are the facts, for lint and its did-you-mean.
var factNames = []string{FactNodes, FactWorkers, FactControlPlane, FactWorker, FactStorageClass}

// DefaultFacts are those of kubelab's own clusters (embedded and kind).
func DefaultFacts() Facts {
	return Facts{FactNodes: strconv.Itoa(len(nodes.All)), FactWorkers: strconv.Itoa(len(nodes.All) - 1),
		FactControlPlane: nodes.ControlPlane, FactWorker: nodes.Worker, FactStorageClass: nodes.StorageClass}
}

// NodeFacts are the facts of a cluster with these nodes, each with its
// node-role.kubernetes.io/ roles; its storage class is kubelab's until
// the caller says (FactStorageClass).
func NodeFacts(roles map[string][]string) Facts {
	names := make([]string, 0, len(roles))
	for n := range roles {
		names = append(names, n)
	}
	sort.Strings(names)
	f := Facts{FactNodes: strconv.Itoa(len(names)), FactControlPlane: "", FactWorker: "", FactStorageClass: nodes.StorageClass}
	workers := 0
	for _, n := range names {
		cp := false
		for _, r := range roles[n] {
			cp = cp || r == "control-plane" || r == "master"
		}
		switch {
		case cp && f[FactControlPlane] == "":
			f[FactControlPlane] = n
		case !cp:
			workers++
			if f[FactWorker] == "" {
				f[FactWorker] = n
			}
		}
	}
	f[FactWorkers] = strconv.Itoa(workers)
	return f
}

var factRE = regexp.MustCompile(`\{\{\s*cluster\.([a-z0-9-]*)\s*\}\}`)

// ExpandFacts fills in the {{ cluster.NAME }} of s.
func ExpandFacts(s string, f Facts) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	return factRE.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := f[factRE.FindStringSubmatch(m)[1]]; ok {
			return v
		}
		return m
	})
}

// UsesFact reports whether the step says fact name anywhere but its text
// file (StepText fills that in).
func (s *Step) UsesFact(name string) bool {
	found := false
	_ = walkStrings(reflect.ValueOf(s).Elem(), func(v string) string {
		for _, m := range factRE.FindAllStringSubmatch(v, -1) {
			found = found || m[1] == name
		}
		return v
	})
	return found
}

// Localize returns a copy of l with its facts filled in everywhere: goals,
// hints, faults, solutions and questions, and the files StepText and
// ReadFile read (texts, manifests, files given to kubectl). l is left as it was.
func (l *Lesson) Localize(f Facts) *Lesson {
	c := deepCopy(reflect.ValueOf(l)).Interface().(*Lesson)
	_ = walkStrings(reflect.ValueOf(c).Elem(), func(s string) string { return ExpandFacts(s, f) })
	c.facts = f
	return c
}

// Facts are the facts StepText and ReadFile fill in: those Localize filled
// in, else kubelab's own clusters'.
func (l *Lesson) Facts() Facts {
	if l.facts != nil {
		return l.facts
	}
	return DefaultFacts()
}

// unknownFacts lists the {{ cluster.NAME }} of s that name no fact, each
// with the problem's sentence.
func unknownFacts(s string) []string {
	var out []string
	for _, m := range factRE.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(factNames, m[1]) {
			out = append(out, fmt.Sprintf("%s: kubelab knows no cluster fact %q; it knows %s", m[0], m[1], strings.Join(factNames, ", ")))
		}
	}
	return out
}

// factsInText checks the {{ cluster.NAME }} of a step's Markdown file, at
// its own file and line.
func (c *checker) factsInText(file, text string) {
	for i, line := range strings.Split(text, "\n") {
		for _, msg := range unknownFacts(line) {
			c.problems = append(c.problems, Problem{File: file, Line: i + 1, Msg: msg})
		}
	}
}

// walkStrings calls fn on every exported string reachable from v (a struct,
// slice, map, pointer or string) and stores what it returns where that
// differs; it reports whether it changed anything. A walk that changes
// nothing writes nothing, so sessions may walk a shared lesson at once.
func walkStrings(v reflect.Value, fn func(string) string) bool {
	changed := false
	switch v.Kind() {
	case reflect.String:
		if out := fn(v.String()); out != v.String() && v.CanSet() {
			v.SetString(out)
			changed = true
		}
	case reflect.Pointer:
		if !v.IsNil() {
			changed = walkStrings(v.Elem(), fn)
		}
	case reflect.Interface, reflect.Map:
		// What an interface or a map holds cannot be set in place: walk a
		// copy and put it back if it changed.
		if v.IsNil() {
			break
		}
		if v.Kind() == reflect.Interface {
			cp := reflect.New(v.Elem().Type()).Elem()
			cp.Set(v.Elem())
			if walkStrings(cp, fn) && v.CanSet() {
				v.Set(cp)
				changed = true
			}
			break
		}
		for _, k := range v.MapKeys() {
			cp := reflect.New(v.Type().Elem()).Elem()
			cp.Set(v.MapIndex(k))
			if walkStrings(cp, fn) {
				v.SetMapIndex(k, cp)
				changed = true
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && walkStrings(v.Field(i), fn) {
				changed = true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if walkStrings(v.Index(i), fn) {
				changed = true
			}
		}
	}
	return changed
}

// deepCopy copies v so that no pointer, slice or map is shared with it.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields stay as they are
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for _, k := range v.MapKeys() {
			c.SetMapIndex(k, deepCopy(v.MapIndex(k)))
		}
		return c
	}
	return v
}
