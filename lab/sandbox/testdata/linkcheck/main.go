// Command linkcheck links everything a container runs (the file tree, the
// container, the shell, every tool) into one program, so that the guard
// test can list what the linker kept: no code that starts a host process
// may be in it.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/sandbox/container"
	"github.com/kubelab/kubelab/lab/sandbox/shell"
	"github.com/kubelab/kubelab/lab/sandbox/tools"
)

func main() {
	progs := tools.Busybox().At("/bin")
	progs["/bin/bash"] = shell.Bash()
	c, err := container.New(container.Config{Image: []fs.FS{fstest.MapFS{}}, Programs: progs, Stdout: os.Stdout, Stderr: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	status, err := c.Run(context.Background(), os.Args[1:])
	fmt.Println(status, err)
}
