package check

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/util/jsonpath"
)

// What the API itself says a lesson may name: the fields of each kind (its
// Go type in k8s.io/api, read through the json tags, as the API server
// serves it), and the values of the fields the API declares typed
// constants for (phases, condition types, condition statuses...). The
// loader checks goals against them, so that `status.succeded`, a Job's
// `Completed` condition or a `Complete` pod phase fail lint, not the learner.

// enums are the values of the API's typed strings, from its own constants.
var enums = func() map[reflect.Type][]string {
	m := map[reflect.Type][]string{}
	add := func(vals ...any) {
		for _, v := range vals {
			t := reflect.TypeOf(v)
			m[t] = append(m[t], reflect.ValueOf(v).String())
		}
	}
	add(corev1.PodPending, corev1.PodRunning, corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown)
	add(corev1.ContainersReady, corev1.PodInitialized, corev1.PodReady, corev1.PodScheduled, corev1.DisruptionTarget,
		corev1.PodReadyToStartContainers, corev1.PodResizePending, corev1.PodResizeInProgress, corev1.AllContainersRestarting)
	add(corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeNetworkUnavailable,
		corev1.NodeGracefulNodeShutdownInProgress, corev1.NodeDrainInProgress, corev1.NodeDrained, corev1.NodeMaintenancePlanned,
		corev1.NodeMaintenanceInProgress)
	add(corev1.PersistentVolumeClaimResizing, corev1.PersistentVolumeClaimFileSystemResizePending, corev1.PersistentVolumeClaimControllerResizeError,
		corev1.PersistentVolumeClaimNodeResizeError, corev1.PersistentVolumeClaimVolumeModifyVolumeError, corev1.PersistentVolumeClaimVolumeModifyingVolume,
		corev1.PersistentVolumeClaimUnused)
	add(corev1.ClaimPending, corev1.ClaimBound, corev1.ClaimLost)
	add(corev1.VolumePending, corev1.VolumeAvailable, corev1.VolumeBound, corev1.VolumeReleased, corev1.VolumeFailed)
	add(corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown)
	add(metav1.ConditionTrue, metav1.ConditionFalse, metav1.ConditionUnknown)
	add(corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName)
	add(corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever)
	add(corev1.PullAlways, corev1.PullNever, corev1.PullIfNotPresent)
	add(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)
	add(batchv1.JobSuspended, batchv1.JobComplete, batchv1.JobFailed, batchv1.JobFailureTarget, batchv1.JobSuccessCriteriaMet)
	add(appsv1.DeploymentAvailable, appsv1.DeploymentProgressing, appsv1.DeploymentReplicaFailure)
	add(appsv1.ReplicaSetReplicaFailure)
	add(appsv1.StatefulSetProgressing)
	add(autoscalingv2.ScalingActive, autoscalingv2.AbleToScale, autoscalingv2.ScalingLimited, autoscalingv2.ScaledToZero)
	return m
}()

// apiTypes maps each resource a goal can name to its Go type.
var apiTypes = sync.OnceValue(func() map[schema.GroupVersionResource]reflect.Type {
	m := map[schema.GroupVersionResource]reflect.Type{}
	known := scheme.Scheme.AllKnownTypes()
	for _, k := range kinds {
		for gvk, t := range known {
			if gvk.Group == k.GVR.Group && gvk.Version == k.GVR.Version && strings.ToLower(gvk.Kind) == k.Name {
				m[k.GVR] = t
			}
		}
	}
	return m
})

// kindWord is a resource's kind as the API spells it: "Job".
func kindWord(r Resource) string {
	if t, ok := apiTypes()[r.GVR]; ok {
		return t.Name()
	}
	return r.Name
}

// leaves are struct types the API serves as one value (a time, a quantity).
func leaf(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	switch t.PkgPath() + "." + t.Name() {
	case "k8s.io/apimachinery/pkg/apis/meta/v1.Time", "k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime",
		"k8s.io/apimachinery/pkg/apis/meta/v1.Duration", "k8s.io/apimachinery/pkg/api/resource.Quantity",
		"k8s.io/apimachinery/pkg/util/intstr.IntOrString":
		return true
	}
	return false
}

// jsonFields lists a struct's fields by their JSON names, inlined ones included.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// schemaError is a path that the API's type does not have.
func schemaError(kind, at, field string, fields map[string]reflect.Type) error {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	where := "a " + kind
	if at != "" {
		where = fmt.Sprintf("%s's %s", where, at)
	}
	if near := nearest(field, names); near != "" {
		return fmt.Errorf("%s has no field %q; did you mean %q?", where, field, near)
	}
	return fmt.Errorf("%s has no field %q (it has %s)", where, field, strings.Join(names, ", "))
}

// walk follows JSONPath nodes through the Go type t and returns the type
// they reach (nil: the API does not say, such as a wildcard's).
func walk(kind string, t reflect.Type, nodes []jsonpath.Node, at string) (reflect.Type, error) {
	for _, n := range nodes {
		t = deref(t)
		if t == nil {
			return nil, nil
		}
		switch n := n.(type) {
		case *jsonpath.FieldNode:
			switch {
			case t.Kind() == reflect.Map:
				t = t.Elem()
			case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
				return nil, fmt.Errorf("%s is a list: pick its items with [0], [*] or a filter such as [?(@.name==\"app\")] before .%s", at, n.Value)
			case t.Kind() == reflect.Struct && !leaf(t):
				fields := jsonFields(t)
				ft, ok := fields[n.Value]
				if !ok {
					return nil, schemaError(kind, at, n.Value, fields)
				}
				t = ft
			case t.Kind() == reflect.Interface:
				return nil, nil
			default:
				return nil, fmt.Errorf("%s is a single value; it has no field %q", at, n.Value)
			}
			at = strings.TrimPrefix(at+"."+n.Value, ".")
		case *jsonpath.ArrayNode, *jsonpath.UnionNode, *jsonpath.FilterNode:
			if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
				return nil, fmt.Errorf("%s is not a list: [...] picks items of lists only", at)
			}
			if f, ok := n.(*jsonpath.FilterNode); ok {
				if err := checkFilter(kind, t.Elem(), f, at); err != nil {
					return nil, err
				}
			}
			t = t.Elem()
		default: // wildcards, recursive descent: any field
			return nil, nil
		}
	}
	return t, nil
}

// checkFilter checks a filter's left side (@.field) against the items'
// type, and a value it is compared to against the API's constants.
func checkFilter(kind string, elem reflect.Type, f *jsonpath.FilterNode, at string) error {
	left, right := f.Left, f.Right
	if len(left.Nodes) == 0 {
		return nil
	}
	if _, isField := left.Nodes[0].(*jsonpath.FieldNode); !isField {
		left, right = f.Right, f.Left
	}
	t, err := walk(kind, elem, left.Nodes, at+"[]")
	if err != nil || t == nil || len(right.Nodes) != 1 {
		return err
	}
	if text, ok := right.Nodes[0].(*jsonpath.TextNode); ok {
		return checkValue(t, text.Text, kind+" "+strings.TrimSuffix(lastField(at), "s")+" "+fieldName(left))
	}
	return nil
}

// lastField is the last field of a dotted path: "conditions" of "status.conditions".
func lastField(at string) string { return at[strings.LastIndex(at, ".")+1:] }

func fieldName(l *jsonpath.ListNode) string {
	var parts []string
	for _, n := range l.Nodes {
		if f, ok := n.(*jsonpath.FieldNode); ok {
			parts = append(parts, f.Value)
		}
	}
	return strings.Join(parts, ".")
}

// checkValue says whether v is a value of the typed string t, when the API
// declares its values; a condition type with a domain ("example.com/x") is
// a custom one (a pod's readiness gate) and is not checked.
func checkValue(t reflect.Type, v, what string) error {
	vals, ok := enums[deref(t)]
	if !ok || slices.Contains(vals, v) || strings.Contains(v, "/") {
		return nil
	}
	return fmt.Errorf("%q is not a %s the API knows (%s)", v, what, strings.Join(vals, ", "))
}

// CheckPath checks path against the API's schema for objects of kind r:
// every field it names exists there, and a filter's value is one the API
// declares. It returns the type the path reaches (nil when the API does not
// say, or the kind is not known here).
func CheckPath(r Resource, path Path) (reflect.Type, error) {
	t, ok := apiTypes()[r.GVR]
	if !ok {
		return nil, nil
	}
	p, err := jsonpath.Parse("path", path.text)
	if err != nil || len(p.Root.Nodes) != 1 {
		return nil, nil
	}
	list, ok := p.Root.Nodes[0].(*jsonpath.ListNode)
	if !ok {
		return nil, nil
	}
	out, err := walk(kindWord(r), t, list.Nodes, "")
	if err != nil {
		return nil, fmt.Errorf("path %s: %w", path.text, err)
	}
	return out, nil
}

// checkCondition checks that objects of kind r have status conditions, and
// that typ and status are values the API declares for them.
func checkCondition(r Resource, typ, status string) error {
	t, ok := apiTypes()[r.GVR]
	if !ok {
		return nil
	}
	kind := kindWord(r)
	cond, err := walk(kind, t, []jsonpath.Node{&jsonpath.FieldNode{Value: "status"}, &jsonpath.FieldNode{Value: "conditions"}}, "")
	if err != nil {
		return fmt.Errorf("a %s has no status conditions", kind)
	}
	if cond == nil || cond.Kind() != reflect.Slice {
		return nil
	}
	fields := jsonFields(deref(cond.Elem()))
	if err := checkValue(fields["type"], typ, kind+" condition type"); err != nil {
		return err
	}
	if status != "" {
		return checkValue(fields["status"], status, "condition status")
	}
	return nil
}

// nearest is the name closest to s (a typo of it), or "".
func nearest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if strings.EqualFold(n, s) {
			return n
		}
		if d := distance(strings.ToLower(s), strings.ToLower(n)); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
