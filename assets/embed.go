// Package assets holds kubelab's embedded data files: the simulated-kubelet
// stages of the embedded cluster and, later, kind configs, manifests and art.
package assets

import "embed"

// FS holds every asset under its path in this directory, e.g. "stages/pod.yaml".
//
//go:embed stages
var FS embed.FS
