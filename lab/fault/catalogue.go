package fault

// catalogue is every fault a lesson may name, with its parameters. The
// faults live with what they act on: pods.go, deployments.go, services.go,
// config.go, nodes.go and storage.go.
var catalogue = map[string]kind{
	// Pods
	"delete-pods": {
		doc:      "delete pods matching selector: count of them (default all), times rounds every apart (default once)",
		required: []string{"selector"},
		optional: []string{"count", "times", "every"},
		build:    newDeletePods,
	},
	"kill-container": {
		doc:      "kill the process of a running container (default the first) in count pods matching selector (default 1), times rounds every apart: exit code 137, the kubelet restarts it in the same pod (restartPolicy Never: the pod fails, a Job makes a new one)",
		required: []string{"selector"},
		optional: []string{"container", "count", "times", "every"},
		build:    newKillContainer,
	},

	// Deployments
	"bad-image": {
		doc:      "roll out an image that does not exist to a deployment's first container (default kubelab/app:v9)",
		required: []string{"deployment"},
		optional: []string{"image"},
		build:    newBadImage,
	},
	"scale-to-zero": {
		doc:      "scale a deployment to zero replicas",
		required: []string{"deployment"},
		build:    newScaleToZero,
	},

	// Services
	"break-selector": {
		doc:      "change a service's selector so it matches no pods (value defaults to the old value plus -typo)",
		required: []string{"service"},
		optional: []string{"label", "value"},
		build:    newBreakSelector,
	},
	"wrong-target-port": {
		doc:      "point a service's first port at a port the pods do not listen on (default 9999)",
		required: []string{"service"},
		optional: []string{"port"},
		build:    newWrongTargetPort,
	},

	// Configuration
	"delete-configmap": {
		doc:      "delete a ConfigMap",
		required: []string{"name"},
		build:    newDeleteConfigMap,
	},

	// Nodes
	"node-down": {
		doc:      "stop a lab node's kubelet; with for, start it again after that long",
		required: []string{"node"},
		optional: []string{"for"},
		build:    newNodeDown,
	},

	// Storage
	"unbindable-pvc": {
		doc:      "create a claim named name that cannot bind (a storage class that does not exist)",
		required: []string{"name"},
		optional: []string{"size", "storage_class"},
		build:    newUnbindablePVC,
	},
}
