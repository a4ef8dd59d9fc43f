package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/kubelab/kubelab/lab/host"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
)

// lessonsDir is --lessons: a folder of lesson folders to use instead of the built-in ones.
var lessonsDir string

// loadLessons returns the lessons to offer and the FS they live in.
func loadLessons() (fs.FS, []*lesson.Lesson, error) {
	if lessonsDir != "" {
		if fi, err := os.Stat(lessonsDir); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("--lessons %s is not a folder of lessons", lessonsDir)
		}
	}
	return host.LoadLessons(lessonsDir)
}

// openProgress opens the learner's progress file; a damaged one is reported
// on stderr, moved aside, and a fresh one used.
func openProgress(streams Streams) (*progress.Store, error) {
	store, err := host.OpenProgress("")
	var corrupt *progress.CorruptError
	if errors.As(err, &corrupt) && store != nil {
		warn(streams)(err.Error())
		return store, nil
	}
	return store, err
}

// lessonsWithProgress loads the lessons and the learner's progress.
func lessonsWithProgress(streams Streams) ([]*lesson.Lesson, progress.File, error) {
	_, all, err := loadLessons()
	if err != nil {
		return nil, progress.File{}, err
	}
	store, err := openProgress(streams)
	if err != nil {
		return nil, progress.File{}, err
	}
	return all, store.Snapshot(), nil
}
