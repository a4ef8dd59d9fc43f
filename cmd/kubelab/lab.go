package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/cluster"
	"github.com/kubelab/kubelab/lab/engine"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/progress"
	"github.com/kubelab/kubelab/lessons"
)

// lessonsDir is --lessons: a folder of lesson folders to use instead of the built-in ones.
var lessonsDir string

// loadLessons returns the lessons to offer and the FS they live in.
func loadLessons() (fs.FS, []*lesson.Lesson, error) {
	fsys := lessons.FS()
	if lessonsDir != "" {
		if fi, err := os.Stat(lessonsDir); err != nil || !fi.IsDir() {
			return nil, nil, fmt.Errorf("--lessons %s is not a folder of lessons", lessonsDir)
		}
		fsys = os.DirFS(lessonsDir)
	}
	all, err := engine.LoadLessons(fsys)
	if err != nil {
		return nil, nil, err
	}
	if len(all) == 0 {
		return nil, nil, fmt.Errorf("no lessons found (a lesson is a folder holding lesson.yaml)")
	}
	return fsys, all, nil
}

func findLesson(all []*lesson.Lesson, id string) (*lesson.Lesson, error) {
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

// openProgress opens the learner's progress file; a damaged one is reported
// on stderr, moved aside, and a fresh one used.
func openProgress(streams Streams) (*progress.Store, error) {
	dir, err := cluster.StateDir()
	if err != nil {
		return nil, err
	}
	store, err := progress.Open(filepath.Join(dir, "progress.json"))
	var corrupt *progress.CorruptError
	if errors.As(err, &corrupt) {
		fmt.Fprintln(streams.Err, "kubelab: warning: "+err.Error())
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

// labClients connects to the running lab cluster.
type labClients struct {
	provider cluster.Provider
	config   *rest.Config
	client   kubernetes.Interface
	dynamic  dynamic.Interface
}

func connect(ctx context.Context) (*labClients, error) {
	p, err := labProvider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Running {
		return nil, errors.New(st.Problem)
	}
	return clientsFor(p)
}

// clientsFor builds clients for a running cluster from its lab kubeconfig.
func clientsFor(p cluster.Provider) (*labClients, error) {
	cfg, err := restConfig(p.KubeconfigPath())
	if err != nil {
		return nil, fmt.Errorf("read the lab kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &labClients{provider: p, config: cfg, client: cs, dynamic: dyn}, nil
}

func restConfig(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.WarningHandler = rest.NoWarnings{}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}
