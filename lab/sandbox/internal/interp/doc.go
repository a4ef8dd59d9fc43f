// Package interp is kubelab's fork of mvdan.cc/sh/v3/interp (v3.14.1,
// BSD-3-Clause, see LICENSE): the interpreter of a container's shell,
// changed so that nothing in it reaches the host. Upstream runs commands
// with os/exec, stats and opens the host's files where a handler is not
// set, makes FIFOs in the host's temporary directory (and opened them past
// the open handler), takes $$, $UID, $HOME and ~user from the host process
// and its user database, and uses OS pipes; here every command goes to the
// exec handler, every file to the handlers, identities come from the
// runner's options, pipes are in memory, and subshells are counted through
// a spawn handler. README.md lists the changes; the upstream files keep
// their names so that a diff against upstream shows them.
package interp
