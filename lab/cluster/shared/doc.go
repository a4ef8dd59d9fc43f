// Package shared is the lab cluster of a learner in a class: a cluster the
// instructor runs, reached with the kubeconfig they handed out (kept as a
// 0600 copy in kubelab's state directory by `kubelab join`). It never
// starts, stops or deletes anything: Up checks the cluster answers and the
// credentials work, Down forgets the copy, and it has no machine to act on.
package shared
