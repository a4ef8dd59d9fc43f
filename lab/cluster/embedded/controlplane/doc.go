// Package controlplane runs a whole lab cluster inside one process: embedded
// etcd, kube-apiserver, kube-controller-manager and kube-scheduler from
// k8s.io/kubernetes, plus three simulated nodes (sigs.k8s.io/kwok) and a small
// node agent that plays the kubelets' API (logs, refused exec) and events.
//
// It is the only package of kubelab that imports k8s.io/kubernetes, and only
// the kubelab-cluster binary links it. The components keep process-wide
// state, so a process runs one cluster, once.
package controlplane
