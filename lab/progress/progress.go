// Package progress keeps a learner's progress per lesson and step: started
// and finished, goal attempts, hints shown, solution revealed, time spent.
// The file is written atomically after every change, so a crash never loses
// more than the change in flight and never leaves half a file; and under a
// lock shared by every kubelab process of the learner, each change applied to
// the file as it is on disk, so a second TUI or a `kubelab quiz` in another
// terminal loses nothing of the first's.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// Version is the progress file's format.
const Version = 1

// File is the whole progress file.
type File struct {
	Version int                `json:"version"`
	Lessons map[string]*Lesson `json:"lessons"`
	// Last is the lesson the learner worked on last, for "resume".
	Last string `json:"last,omitempty"`
}

// Lesson is the progress of one lesson.
type Lesson struct {
	Started  time.Time        `json:"started"`
	Finished time.Time        `json:"finished,omitzero"`
	Current  string           `json:"current,omitempty"` // step id
	Steps    map[string]*Step `json:"steps"`
}

// Step is the progress of one step.
type Step struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	// Attempts counts goal transitions from failing to passing.
	Attempts         int           `json:"attempts"`
	HintsShown       int           `json:"hintsShown"`
	SolutionRevealed bool          `json:"solutionRevealed"`
	Resets           int           `json:"resets"`
	TimeSpent        time.Duration `json:"timeSpent"`
}

// Store is the progress file of one learner.
type Store struct {
	path string
	mu   sync.Mutex
	data File
}

// CorruptError says the progress file could not be read; it was moved
// aside to Backup and a fresh one started.
type CorruptError struct {
	Path, Backup string
	Err          error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("your progress file %s was damaged (%v); it was kept as %s and a fresh one started", e.Path, e.Err, e.Backup)
}

// Open reads the progress at path, or starts empty. A damaged file is moved
// aside and reported with a *CorruptError, and the Store is still usable.
func Open(path string) (*Store, error) {
	s := &Store{path: path, data: empty()}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	unlock, err := lockFile(s.lockPath())
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", s.lockPath(), err)
	}
	defer unlock()
	f, err := read(path)
	var corrupt *CorruptError
	if errors.As(err, &corrupt) {
		return s, err
	}
	if err != nil {
		return nil, err
	}
	s.data = f
	return s, nil
}

func empty() File { return File{Version: Version, Lessons: map[string]*Lesson{}} }

func (s *Store) lockPath() string { return s.path + ".lock" }

// read reads the progress file as it is on disk: empty if there is none; a
// damaged one is moved aside (*CorruptError) and reads as empty.
func read(path string) (File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return empty(), nil
	}
	if err != nil {
		return File{}, err
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil || f.Version != Version {
		if err == nil {
			err = fmt.Errorf("format version %d, want %d", f.Version, Version)
		}
		backup := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405"))
		if rerr := os.Rename(path, backup); rerr != nil {
			return File{}, rerr
		}
		return empty(), &CorruptError{Path: path, Backup: backup, Err: err}
	}
	if f.Lessons == nil {
		f.Lessons = map[string]*Lesson{}
	}
	return f, nil
}

// Snapshot returns a deep copy of the progress, as on disk: what another
// kubelab process recorded shows too.
func (s *Store) Snapshot() File {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, err := read(s.path); err == nil {
		s.data = f
	}
	data, _ := json.Marshal(s.data)
	var f File
	_ = json.Unmarshal(data, &f)
	return f
}

// Update changes the progress of a lesson's step with f and saves it. Under
// the file's lock, f is applied to the progress as it is on disk, so changes
// made by other kubelab processes are kept.
func (s *Store) Update(lesson, step string, f func(l *Lesson, st *Step)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	unlock, err := lockFile(s.lockPath())
	if err != nil {
		return fmt.Errorf("lock %s: %w", s.lockPath(), err)
	}
	defer unlock()
	// A damaged file was moved aside by read: this change starts a new one.
	if disk, err := read(s.path); err == nil || errors.As(err, new(*CorruptError)) {
		s.data = disk
	} else {
		return err
	}
	now := time.Now().UTC()
	l, ok := s.data.Lessons[lesson]
	if !ok {
		l = &Lesson{Started: now, Steps: map[string]*Step{}}
		s.data.Lessons[lesson] = l
	}
	st, ok := l.Steps[step]
	if !ok {
		st = &Step{Started: now}
		l.Steps[step] = st
	}
	l.Current = step
	s.data.Last = lesson
	f(l, st)
	return s.save()
}

func (s *Store) save() error {
	data, err := json.MarshalIndent(s.data, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path, data, 0o600)
}

// Event is one thing a learner did, as a line of events.jsonl beside the
// progress file: the form a classroom view could collect from every learner.
type Event struct {
	At     time.Time `json:"at"`
	Lesson string    `json:"lesson"`
	Step   string    `json:"step"`
	// Kind: step-started, goal-passed, step-finished, hint, solution, reset.
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
}

// EventsPath is where Log appends events.
func (s *Store) EventsPath() string {
	return filepath.Join(filepath.Dir(s.path), "events.jsonl")
}

// Log appends one event (one JSON object per line, never rewritten).
func (s *Store) Log(e Event) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.EventsPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}
