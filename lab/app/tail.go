package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// tail follows a file and prints its new lines (a log-shipping sidecar).
func (a *app) tail(ctx context.Context) error {
	path := a.env.Get(workload.EnvFile, workload.DefaultFile)
	var f fs.File
	for f == nil {
		var err error
		if f, err = a.p.FS.Open(path); err != nil {
			f = nil
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	defer f.Close()
	r := bufio.NewReader(f)
	pending := "" // a line written in part: its end comes later
	for {
		line, err := r.ReadString('\n')
		pending += line
		if strings.HasSuffix(pending, "\n") {
			a.logf("shipped: %s", strings.TrimSuffix(pending, "\n"))
			pending = ""
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
