// Package nodes names the conventions every lab cluster's nodes follow,
// whichever backend runs them.
package nodes

const (
	// ControlPlane, Worker and Worker2 are the lab nodes, named as kind names them.
	ControlPlane = "kubelab-control-plane"
	Worker       = "kubelab-worker"
	Worker2      = "kubelab-worker2"

	// KubeletLabel says whether a simulated node's kubelet runs. Setting it
	// to KubeletStopped takes the node down: heartbeats stop, the node turns
	// NotReady and its pods are evicted; KubeletRunning brings it back.
	KubeletLabel   = "kubelab.dev/kubelet"
	KubeletRunning = "running"
	KubeletStopped = "stopped"
)

// StorageClass is the default StorageClass of every lab cluster, named as
// kind names it, and DefaultClassAnnotation the annotation that makes a
// class the default.
const (
	StorageClass           = "standard"
	DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
)

// All lists the lab nodes, control plane first.
var All = []string{ControlPlane, Worker, Worker2}

// KubernetesVersion is the Kubernetes version of every lab cluster: linked
// into the embedded one, and kind's node image for the kind backend.
const KubernetesVersion = "v1.37.2"
