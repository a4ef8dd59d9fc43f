// Package sandboxtest has what tests of containers need and no cluster
// gives them: a busybox-like image layer, a busybox container with its log
// (Box, Sh), an in-memory pod network that serves HTTP on pod addresses,
// and a Usage with a memory limit. For tests only.
package sandboxtest
