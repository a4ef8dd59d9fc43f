package workload_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kubelab/kubelab/lab/workload"
	"github.com/kubelab/kubelab/lessons"
)

// The containers of a pod share its network: two lesson apps in one pod of
// a built-in lesson (the adapter beside its app, the all-in-one web and
// db) must listen on different ports, or on kind the second one fails to
// start while the simulated node runs both.
func TestLessonAppsOfOnePodListenOnTheirOwnPorts(t *testing.T) {
	t.Parallel()
	pods := 0
	err := fs.WalkDir(lessons.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") || d.Name() == "lesson.yaml" {
			return err
		}
		data, err := fs.ReadFile(lessons.FS(), path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc map[string]any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			eachContainers(doc, func(containers []any) {
				pods++
				seen := map[string]string{}
				for _, c := range containers {
					name, addr, ok := appAddr(c)
					if !ok {
						continue
					}
					if other, dup := seen[addr]; dup {
						t.Errorf("%s: containers %s and %s both listen on %s", path, other, name, addr)
					}
					seen[addr] = name
				}
			})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if pods < 10 {
		t.Fatalf("found only %d pod templates in the built-in lessons", pods)
	}
}

// eachContainers calls f with every containers list in v (a pod spec's).
func eachContainers(v any, f func([]any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if list, ok := x.([]any); ok && k == "containers" {
				f(list)
				continue
			}
			eachContainers(x, f)
		}
	case []any:
		for _, x := range v {
			eachContainers(x, f)
		}
	}
}

// appAddr is where a lesson app container's HTTP server listens.
func appAddr(c any) (name, addr string, ok bool) {
	m, _ := c.(map[string]any)
	image, _ := m["image"].(string)
	if !workload.IsAppImage(image) || m["command"] != nil {
		return "", "", false
	}
	env := map[string]string{}
	list, _ := m["env"].([]any)
	for _, e := range list {
		em, _ := e.(map[string]any)
		n, _ := em["name"].(string)
		v, _ := em["value"].(string)
		env[n] = v
	}
	e := workload.Env(func(k string) string { return env[k] })
	if !workload.Serves(e.Mode()) {
		return "", "", false
	}
	name, _ = m["name"].(string)
	return name, e.Addr(), true
}
