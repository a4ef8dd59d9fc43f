// Package shell is the sh (busybox ash) and bash of a container: a real
// interpreter (a fork of mvdan.cc/sh's, lab/sandbox/internal/interp) whose
// commands run only as programs of the container (sandbox.Proc.Start),
// whose files are only the container's (sandbox.Proc.FS), and whose
// environment is only the process's. It prints ash's or bash's messages
// ("sh: foo: not found", status 127), runs trap handlers for the signals a
// script catches, and counts its subshells toward the container's process
// limit.
package shell
