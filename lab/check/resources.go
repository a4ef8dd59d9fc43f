package check

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Resource is a resource kind a goal can name.
type Resource struct {
	Name       string // singular, lower case: "pod"
	Plural     string
	GVR        schema.GroupVersionResource
	Namespaced bool
}

var kinds = []Resource{
	{"pod", "pods", schema.GroupVersionResource{Version: "v1", Resource: "pods"}, true},
	{"service", "services", schema.GroupVersionResource{Version: "v1", Resource: "services"}, true},
	{"configmap", "configmaps", schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, true},
	{"secret", "secrets", schema.GroupVersionResource{Version: "v1", Resource: "secrets"}, true},
	{"persistentvolumeclaim", "persistentvolumeclaims", schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}, true},
	{"serviceaccount", "serviceaccounts", schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}, true},
	{"event", "events", schema.GroupVersionResource{Version: "v1", Resource: "events"}, true},
	{"deployment", "deployments", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, true},
	{"replicaset", "replicasets", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}, true},
	{"statefulset", "statefulsets", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}, true},
	{"daemonset", "daemonsets", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}, true},
	{"job", "jobs", schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}, true},
	{"cronjob", "cronjobs", schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}, true},
	{"endpointslice", "endpointslices", schema.GroupVersionResource{Group: "discovery.k8s.io", Version: "v1", Resource: "endpointslices"}, true},
	{"ingress", "ingresses", schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}, true},
	{"horizontalpodautoscaler", "horizontalpodautoscalers", schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}, true},
	{"node", "nodes", schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, false},
	{"persistentvolume", "persistentvolumes", schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumes"}, false},
	{"storageclass", "storageclasses", schema.GroupVersionResource{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"}, false},
	{"ingressclass", "ingressclasses", schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingressclasses"}, false},
}

var aliases = map[string]string{
	"po": "pod", "svc": "service", "cm": "configmap", "pvc": "persistentvolumeclaim", "sa": "serviceaccount",
	"ev": "event", "deploy": "deployment", "rs": "replicaset", "sts": "statefulset", "ds": "daemonset",
	"cj": "cronjob", "ing": "ingress", "hpa": "horizontalpodautoscaler", "no": "node", "pv": "persistentvolume", "sc": "storageclass",
}

// LookupResource finds a kind by its singular, plural or short name, as kubectl does.
func LookupResource(name string) (Resource, error) {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		n = a
	}
	for _, k := range kinds {
		if k.Name == n || k.Plural == n {
			return k, nil
		}
	}
	return Resource{}, fmt.Errorf("unknown kind %q (kinds: pod, deployment, replicaset, service, configmap, secret, pvc, pv, node, job, cronjob, ...)", name)
}

// ParseObject reads an object reference "kind/name".
func ParseObject(ref string) (Resource, string, error) {
	k, name, ok := strings.Cut(ref, "/")
	if !ok || name == "" {
		return Resource{}, "", fmt.Errorf("object %q must be kind/name, as in deployment/web", ref)
	}
	kind, err := LookupResource(k)
	return kind, name, err
}
