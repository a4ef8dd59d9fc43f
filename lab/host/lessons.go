package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lab/quiz"
	"github.com/kubelab/kubelab/lessons"
)

func builtinLessons() fs.FS { return lessons.FS() }

// LoadLessons returns the lessons to offer and the FS they live in: those
// in the folder dir (a folder of lesson folders), or the built-in ones when
// dir is "".
func LoadLessons(dir string) (fs.FS, []*lesson.Lesson, error) {
	fsys := builtinLessons()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	return loadFrom(fsys)
}

// LessonsToShow is LoadLessons for a screen that shows the lessons at once
// (the TUI's first frame): the built-in lessons, proven whole when kubelab
// is built (make test) and by `kubelab verify`, are read without checking
// their commands and goals again, which builds kubectl's whole command tree
// and takes most of a second; a folder's lessons are checked in full.
func LessonsToShow(dir string) (fs.FS, []*lesson.Lesson, error) {
	if dir != "" {
		return LoadLessons(dir)
	}
	fsys := builtinLessons()
	all, err := lesson.LoadAll(fsys, ".", lesson.Validators{})
	if err != nil {
		return nil, nil, err
	}
	return fsys, all, nil
}

func loadFrom(fsys fs.FS) (fs.FS, []*lesson.Lesson, error) {
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, errors.New("no lessons found (a lesson is a folder holding lesson.yaml)")
	}
	return fsys, all, nil
}

// LessonsAt loads dir as a folder of lessons, or as one lesson folder.
func LessonsAt(dir string) (fs.FS, []*lesson.Lesson, error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s is not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "lesson.yaml")); err == nil {
		parent := filepath.Dir(filepath.Clean(dir))
		fsys := os.DirFS(parent)
		l, err := lesson.Load(fsys, filepath.Base(filepath.Clean(dir)), engine.Validators())
		if err != nil {
			return nil, nil, err
		}
		return fsys, []*lesson.Lesson{l}, nil
	}
	fsys := os.DirFS(dir)
	all, err := engine.LoadLessons(fsys)
	if err == nil && len(all) == 0 {
		err = fmt.Errorf("%s holds no lesson (a lesson is a folder with a lesson.yaml)", dir)
	}
	return fsys, all, err
}

// FindLesson returns the lesson of all with id, or an error that lists them.
func FindLesson(all []*lesson.Lesson, id string) (*lesson.Lesson, error) {
	for _, l := range all {
		if l.ID == id {
			return l, nil
		}
	}
	var ids []string
	for _, l := range all {
		ids = append(ids, l.ID)
	}
	return nil, fmt.Errorf("there is no lesson %q; lessons: %v (see `kubelab lessons`)", id, ids)
}

// OpenProgress opens the learner's progress file in stateDir ("": the state
// directory). A damaged one is moved aside and a fresh one returned with a
// *progress.CorruptError that says so.
func OpenProgress(stateDir string) (*progress.Store, error) {
	dir, err := resolve(stateDir)
	if err != nil {
		return nil, err
	}
	return progress.Open(filepath.Join(dir, "progress.json"))
}

// QuizStore keeps quizzes in <stateDir>/quiz ("": the state directory).
func QuizStore(stateDir string) quiz.Store {
	dir, err := resolve(stateDir)
	if err != nil {
		dir = os.TempDir()
	}
	return quiz.Store{Dir: filepath.Join(dir, "quiz")}
}
