// Package tools is busybox as kubelab implements it: the applets a
// container's commands use (ls, cat, grep, wget, ps, ...), each a
// sandbox.Program with busybox's options, output and messages, working only
// through its sandbox.Proc (the container's files, network and processes).
// Busybox returns them by name; an image's catalogue places them in its
// file tree and adds its own programs.
package tools
