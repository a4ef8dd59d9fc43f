// Package kind runs the lab cluster on kind (sigs.k8s.io/kind): real nodes
// as containers of a Docker engine, a real kubelet, real containers. The
// nodes are lab/cluster/nodes' (one control plane and two workers, named as
// on the embedded cluster), the kubeconfig is at a lab-owned path, the
// lesson app images are loaded into every node (no registry needed), and
// node ports 30080-30082 are on localhost.
//
// The files follow kind's own docker provider: provider.go (the Provider,
// Up and Status), preflight.go, config.go, network.go, images.go,
// nodes.go, delete.go and logging.go.
package kind
