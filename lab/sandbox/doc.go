// Package sandbox runs the programs of the embedded cluster's containers
// inside kubelab, never on the host: a container's command, its exec probes
// and `kubectl exec` are run by a real shell interpreter (mvdan.cc/sh) whose
// commands are kubelab's own Go implementations of the common tools, in a
// file tree confined to the container's root and its volumes, on a network
// that is the pod's, not the machine's.
//
// api.go is the contract between the sandbox, the programs that run in it
// (the lesson app, the servers of common images) and the simulated kubelet
// that starts them (lab/cluster/embedded/simnode).
package sandbox
