// Package simnode is the embedded cluster's simulated nodes: the node objects
// (named and shaped like kind's), kwok's controllers driven by kubelab's
// stages (assets/stages), and a node agent that plays the kubelets' own API
// (logs; exec refused) and records the Events a kubelet would; the probes
// of a lesson app that hangs (hang.go); and kind's default StorageClass with
// a local-path provisioner of its own (storage.go).
//
// It does not import k8s.io/kubernetes, so its tests build in seconds.
package simnode
