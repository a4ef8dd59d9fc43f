package programs

import (
	"io/fs"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/app"
	kindimages "github.com/kubelab/kubelab/lab/images"
	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/workload"
)

// kubelab's lesson app image, as lab/images builds it for kind: the app at
// kindimages.BinaryPath, its tools linked beside it, KUBELAB_VERSION the tag.
func init() {
	progs := map[string]sandbox.Program{kindimages.BinaryPath: app.Main}
	for _, name := range workload.Tools {
		if tool, ok := app.Tool(name); ok {
			progs["/usr/local/bin/"+name] = tool
		}
	}
	l := &layer{fs: fstest.MapFS{}}
	l.dir("tmp", fs.ModeSticky|0o777)
	l.dir("data", 0o755)
	l.dir("var/log/app", 0o755)
	l.programs(progs)
	register(&Image{
		Name:       workload.AppRepo,
		Entrypoint: []string{kindimages.BinaryPath},
		Env:        []string{"PATH=/usr/local/bin:/usr/bin:/bin", workload.EnvVersion + "=v1"},
		VersionEnv: workload.EnvVersion,
		Ports:      []int{workload.HTTPPort},
		StopSignal: "SIGTERM",
		Programs:   progs,
		files:      l.fs,
	})
}
