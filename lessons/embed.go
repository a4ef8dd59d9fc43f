// Package lessons holds kubelab's built-in lessons, embedded into the
// binary. Each folder under builtin/ is one lesson: a lesson.yaml and the
// Markdown and manifest files it names (see README.md, the authoring guide).
package lessons

import (
	"embed"
	"io/fs"
)

//go:embed builtin
var builtin embed.FS

// FS returns the built-in lessons: one folder per lesson at its root.
func FS() fs.FS {
	sub, err := fs.Sub(builtin, "builtin")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
