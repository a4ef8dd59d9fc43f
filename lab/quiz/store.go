package quiz

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// Store keeps the attempt in progress and the results of finished ones in a
// directory: current.json and results/<attempt>.json, each written atomically.
type Store struct{ Dir string }

func (s Store) current() string         { return filepath.Join(s.Dir, "current.json") }
func (s Store) result(id string) string { return filepath.Join(s.Dir, "results", id+".json") }

// Save keeps an attempt in progress, after every answer.
func (s Store) Save(a *Attempt) error {
	return s.write(s.current(), a)
}

// Current returns the attempt in progress, if any. A damaged file is moved
// aside and reported, and no attempt is returned.
func (s Store) Current() (*Attempt, error) {
	var a Attempt
	data, err := os.ReadFile(s.current())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &a); err != nil {
		backup := fmt.Sprintf("%s.corrupt-%s", s.current(), time.Now().UTC().Format("20060102T150405"))
		_ = os.Rename(s.current(), backup)
		return nil, fmt.Errorf("the quiz in progress could not be read (%v); it was kept as %s", err, backup)
	}
	return &a, nil
}

// Abandon drops the attempt in progress.
func (s Store) Abandon() error {
	err := os.Remove(s.current())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Finish submits an attempt: its result is saved and the attempt in progress dropped.
func (s Store) Finish(a *Attempt, now time.Time) (Result, error) {
	a.Submitted = now
	r := Score(a)
	doc := Saved{Attempt: a, Result: r}
	if err := s.write(s.result(a.ID), doc); err != nil {
		return r, err
	}
	return r, s.Abandon()
}

func (s Store) write(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// Saved is one finished attempt and its result, as Finish wrote it.
type Saved struct {
	Attempt *Attempt `json:"attempt"`
	Result  Result   `json:"result"`
}

// Results reads every saved result, oldest first. Damaged files are moved
// aside and named in the returned error; the others are still returned.
func (s Store) Results() ([]Saved, error) {
	files, _ := filepath.Glob(filepath.Join(s.Dir, "results", "*.json"))
	sort.Strings(files)
	var out []Saved
	var damaged []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		var sv Saved
		if err == nil {
			err = json.Unmarshal(data, &sv)
		}
		if err != nil || sv.Attempt == nil {
			backup := f + ".corrupt"
			_ = os.Rename(f, backup)
			damaged = append(damaged, backup)
			continue
		}
		out = append(out, sv)
	}
	if len(damaged) > 0 {
		return out, fmt.Errorf("%d quiz result file(s) were damaged and kept aside: %s", len(damaged), strings.Join(damaged, ", "))
	}
	return out, nil
}
