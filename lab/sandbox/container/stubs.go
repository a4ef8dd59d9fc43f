package container

import (
	"bytes"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// stubMagic starts the file of a program: an ELF header, so that a learner
// who cats /bin/ls sees a binary, then the path the program is registered
// at. A copy of the file runs the same program; a file without it is not
// one of kubelab's programs.
const stubMagic = "\x7fELF\x02\x01\x01\x00kubelab-program:"

func stub(p string) []byte { return []byte(stubMagic + p + "\n\x00") }

// programOf reads a program's path from the head of a file.
func programOf(head []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(head, []byte(stubMagic))
	if !ok {
		return "", false
	}
	p, _, ok := bytes.Cut(rest, []byte("\n"))
	return string(p), ok
}

// stubLayer is the image layer that holds a file for each program, over the
// image's own files.
func stubLayer(programs map[string]sandbox.Program) (fs.FS, error) {
	layer := fstest.MapFS{}
	for p := range programs {
		if !path.IsAbs(p) || path.Clean(p) != p {
			return nil, &fs.PathError{Op: "program", Path: p, Err: fs.ErrInvalid}
		}
		rel := strings.TrimPrefix(p, "/")
		layer[rel] = &fstest.MapFile{Data: stub(p), Mode: 0o755}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if _, ok := layer[d]; !ok {
				layer[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
			}
		}
	}
	return layer, nil
}
