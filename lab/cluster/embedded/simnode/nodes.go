package simnode

import (
	"context"
	"fmt"
	"runtime"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/cluster/nodes"
)

// nodeSpec is one simulated node, laid out like kind's: a control plane that
// takes no workloads and two workers.
type nodeSpec struct {
	name, ip, podCIDR string
	controlPlane      bool
}

var labNodes = []nodeSpec{
	{name: nodes.ControlPlane, ip: "172.18.0.2", podCIDR: "10.244.0.0/24", controlPlane: true},
	{name: nodes.Worker, ip: "172.18.0.3", podCIDR: "10.244.1.0/24"},
	{name: nodes.Worker2, ip: "172.18.0.4", podCIDR: "10.244.2.0/24"},
}

// EnsureNodes registers the simulated nodes, as kubelets do on first start.
// Existing nodes are left as they are, so a restart keeps their state.
func EnsureNodes(ctx context.Context, cs kubernetes.Interface, kubeletPort int) error {
	for _, n := range labNodes {
		node := n.object(kubeletPort)
		_, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("register node %s: %w", n.name, err)
		}
	}
	return nil
}

func (n nodeSpec) object(kubeletPort int) *corev1.Node {
	labels := map[string]string{
		"kubernetes.io/hostname": n.name,
		"kubernetes.io/os":       "linux",
		"kubernetes.io/arch":     runtime.GOARCH,
		"beta.kubernetes.io/os":  "linux",
		"type":                   "kwok",
		nodes.KubeletLabel:       nodes.KubeletRunning,
	}
	var taints []corev1.Taint
	if n.controlPlane {
		labels["node-role.kubernetes.io/control-plane"] = ""
		labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
		taints = append(taints, corev1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: corev1.TaintEffectNoSchedule})
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("4"),
		corev1.ResourceMemory:           resource.MustParse("8Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:   n.name,
			Labels: labels,
			Annotations: map[string]string{
				"kwok.x-k8s.io/node":                                     "fake",
				"node.alpha.kubernetes.io/ttl":                           "0",
				"kubelab.dev/simulated":                                  "true",
				"volumes.kubernetes.io/controller-managed-attach-detach": "true",
			},
		},
		Spec: corev1.NodeSpec{
			PodCIDR:  n.podCIDR,
			PodCIDRs: []string{n.podCIDR},
			Taints:   taints,
		},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity,
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: n.ip},
				{Type: corev1.NodeHostName, Address: n.name},
				// The apiserver reaches the node agent (logs) through this name.
				{Type: corev1.NodeInternalDNS, Address: "localhost"},
			},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(kubeletPort)}},
			NodeInfo: corev1.NodeSystemInfo{
				Architecture:            runtime.GOARCH,
				OperatingSystem:         "linux",
				OSImage:                 "kubelab simulated node (kwok)",
				KernelVersion:           "simulated",
				ContainerRuntimeVersion: "kwok://v0.8.0",
				KubeletVersion:          nodes.KubernetesVersion,
				KubeProxyVersion:        nodes.KubernetesVersion,
			},
		},
	}
}

// Count is how many nodes a lab cluster has.
var Count = len(labNodes)
