package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/kubelab/kubelab/lab/workload"
)

// Every HTTP mode keeps files under GET/PUT /data/<name> (volume lessons);
// mode db is the app that only does that.

func (a *app) dataPath(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return "", fmt.Errorf("bad name %q", name)
	}
	return filepath.Join(a.env.Get(workload.EnvDataDir, workload.DefaultDataDir), name), nil
}

func (a *app) readData(w http.ResponseWriter, r *http.Request) {
	p, err := a.dataPath(r.PathValue("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	_, _ = w.Write(b)
}

func (a *app) writeData(w http.ResponseWriter, r *http.Request) {
	p, err := a.dataPath(r.PathValue("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = os.WriteFile(p, b, 0o644)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.logf("stored %s (%d bytes)", p, len(b))
	w.WriteHeader(http.StatusCreated)
}
