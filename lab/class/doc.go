// Package class runs a workshop on one shared Kubernetes cluster: a class is
// a set of learners, each with their own namespaces, credentials and budget;
// each learner's kubelab publishes its progress into the learner's home
// namespace, and the instructor's watcher reads it back.
//
// This file set is the contract every part of the classroom shares: the
// names of what a class makes, the labels on it, and the progress each
// learner publishes. One source, read by `class create`, `join`, the
// learner's publisher and `class watch`.
package class
