// Package class runs a workshop on one shared Kubernetes cluster: a class is
// a set of learners, each with their own namespaces, credentials and budget;
// each learner's kubelab publishes its progress into the learner's home
// namespace, and the instructor's watcher reads it back.
//
// This file set is the contract every part of the classroom shares: the
// names of what a class makes, the labels on it, and the progress each
// learner publishes. One source, read by `class create`, `join`, the
// learner's publisher and `class watch`.
//
// Beside the contract (names.go, published.go):
//   - spec.go, create.go, objects.go, apply.go: Create makes a class, or adds
//     its missing learners, and nothing else; kubeconfig.go writes each
//     learner's kubeconfig (a TokenRequest token) and gives the watcher its
//     read-only config (WatcherConfig); delete.go removes exactly the
//     class's namespaces.
//   - join.go: Check proves a learner's kubeconfig works by reading their
//     Info as them; refused credentials are one sentence (ErrCredentials).
//   - publish.go: Publisher writes a learner's Published progress on every
//     change (debounced, retried); GoalClock fills Goal.Since.
package class
