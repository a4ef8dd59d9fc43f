package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/kubelab/kubelab/lab/workload"
)

// Every HTTP mode keeps files under GET/PUT /data/<name> (volume lessons);
// mode db is the app that only does that.

func (a *app) dataPath(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return "", fmt.Errorf("bad name %q", name)
	}
	return path.Join(a.env.Get(workload.EnvDataDir, workload.DefaultDataDir), name), nil
}

func (a *app) readData(w http.ResponseWriter, r *http.Request) {
	p, err := a.dataPath(r.PathValue("name"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b, err := readFile(a.p.FS, p)
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
		err = a.writeFile(p, b)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.logf("stored %s (%d bytes)", p, len(b))
	w.WriteHeader(http.StatusCreated)
}

// writeFile writes a whole file of the container, as os.WriteFile does.
func (a *app) writeFile(name string, data []byte) error {
	f, err := a.p.FS.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
