package check

import (
	"fmt"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// celFuncs are the functions goals may call beside CEL's own, so a goal
// compares values as Kubernetes means them, not as the strings it stores:
//
//	sameQuantity(a, b)            a and b are the same resource quantity
//	                              ('1024Mi' and '1Gi', '0.1' and '100m')
//	scaledValue(v, total, roundUp) an int-or-percent (maxSurge 25%) as a
//	                              count of total, rounded as the Deployment
//	                              controller does (maxSurge up, maxUnavailable down)
//	hasEnv(object, c, name)       container c of the object's pods sets env name
//	                              (a pod, or the pod template of a Deployment,
//	                              ReplicaSet, StatefulSet, DaemonSet, Job, CronJob)
//	envValue(object, c, name)     that env var's value ("" when unset or from valueFrom)
func celFuncs() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("hasEnv",
			cel.Overload("hasEnv_dyn_string_string", []*cel.Type{cel.DynType, cel.StringType, cel.StringType}, cel.BoolType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					_, ok := containerEnv(args[0], args[1], args[2])
					return types.Bool(ok)
				}))),
		cel.Function("envValue",
			cel.Overload("envValue_dyn_string_string", []*cel.Type{cel.DynType, cel.StringType, cel.StringType}, cel.StringType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					v, _ := containerEnv(args[0], args[1], args[2])
					return types.String(v)
				}))),
		cel.Function("sameQuantity",
			cel.Overload("sameQuantity_dyn_dyn", []*cel.Type{cel.DynType, cel.DynType}, cel.BoolType,
				cel.BinaryBinding(func(a, b ref.Val) ref.Val {
					qa, err := quantityOf(a)
					if err != nil {
						return types.False // a missing or malformed value is not the wanted one
					}
					qb, err := quantityOf(b)
					if err != nil {
						return types.NewErr("sameQuantity: %v", err)
					}
					return types.Bool(qa.Cmp(qb) == 0)
				}))),
		cel.Function("scaledValue",
			cel.Overload("scaledValue_dyn_int_bool", []*cel.Type{cel.DynType, cel.IntType, cel.BoolType}, cel.IntType,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val {
					var v intstr.IntOrString
					switch x := args[0].Value().(type) {
					case int64:
						v = intstr.FromInt(int(x))
					case string:
						v = intstr.Parse(x) // "25%" a percentage, "1" a number
					default:
						return types.NewErr("scaledValue: %v is neither a number nor a percentage", args[0].Value())
					}
					total, _ := args[1].Value().(int64)
					roundUp, _ := args[2].Value().(bool)
					n, err := intstr.GetScaledValueFromIntOrPercent(&v, int(total), roundUp)
					if err != nil {
						return types.NewErr("scaledValue: %v", err)
					}
					return types.Int(n)
				}))),
	}
}

func quantityOf(v ref.Val) (resource.Quantity, error) {
	switch x := v.Value().(type) {
	case string:
		return resource.ParseQuantity(x)
	case int64:
		return *resource.NewQuantity(x, resource.DecimalSI), nil
	case float64:
		return resource.ParseQuantity(fmt.Sprint(x))
	}
	return resource.Quantity{}, fmt.Errorf("%v is not a quantity", v.Value())
}

// podSpecPaths are where an object keeps the spec of its pods.
var podSpecPaths = [][]string{
	{"spec", "jobTemplate", "spec", "template", "spec"}, // CronJob
	{"spec", "template", "spec"},                        // Deployment, ReplicaSet, StatefulSet, DaemonSet, Job
	{"spec"},                                            // Pod
}

// containerEnv finds env var name of container c (or init container) in the
// pods of obj: its value, and whether it is set at all.
func containerEnv(obj, c, name ref.Val) (string, bool) {
	native, err := obj.ConvertToNative(reflect.TypeFor[map[string]any]())
	if err != nil {
		return "", false
	}
	m, _ := native.(map[string]any)
	container, _ := c.Value().(string)
	want, _ := name.Value().(string)
	for _, path := range podSpecPaths {
		spec, found, _ := unstructured.NestedMap(m, path...)
		if !found {
			continue
		}
		for _, list := range []string{"containers", "initContainers"} {
			items, _, _ := unstructured.NestedSlice(spec, list)
			for _, it := range items {
				ctr, _ := it.(map[string]any)
				if ctr["name"] != container {
					continue
				}
				env, _, _ := unstructured.NestedSlice(ctr, "env")
				for _, e := range env {
					if ev, _ := e.(map[string]any); ev["name"] == want {
						v, _ := ev["value"].(string)
						return v, true
					}
				}
				return "", false
			}
		}
		if _, hasContainers := spec["containers"]; hasContainers {
			return "", false
		}
	}
	return "", false
}
