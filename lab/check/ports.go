package check

import (
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubelab/kubelab/lab/workload"
)

// wrongTargetPort reports a targetPort that no selected pod listens on: the
// ports its containers declare, and for the lesson app the port its mode
// serves on (kubelab knows its own app). Pods of other images that declare no
// ports are given the benefit of the doubt.
func wrongTargetPort(svc *unstructured.Unstructured, pods []*unstructured.Unstructured) (string, bool) {
	numbers, names := podPorts(pods)
	if len(numbers) == 0 {
		return "", false
	}
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	for _, sp := range ports {
		m := sp.(map[string]any)
		target := describeValue(m["targetPort"])
		if target == "<none>" {
			target = describeValue(m["port"])
		}
		if !numbers[target] && !names[target] {
			return target, true
		}
	}
	return "", false
}

func containerPorts(pods []*unstructured.Unstructured) string {
	numbers, _ := podPorts(pods)
	var out []string
	for p := range numbers {
		out = append(out, p)
	}
	return strings.Join(sortStrings(out), ", ")
}

// podPorts collects the container ports pods declare, by number and by name.
func podPorts(pods []*unstructured.Unstructured) (numbers, names map[string]bool) {
	numbers, names = map[string]bool{}, map[string]bool{}
	for _, p := range pods {
		containers, _, _ := unstructured.NestedSlice(p.Object, "spec", "containers")
		for _, c := range containers {
			cm := c.(map[string]any)
			cps, _, _ := unstructured.NestedSlice(cm, "ports")
			if len(cps) == 0 {
				if port, ok := appPort(cm); ok {
					numbers[strconv.Itoa(port)] = true
				}
			}
			for _, cp := range cps {
				m := cp.(map[string]any)
				numbers[describeValue(m["containerPort"])] = true
				if n, ok := m["name"].(string); ok {
					names[n] = true
				}
			}
		}
	}
	return numbers, names
}

// appPort is the port a lesson app container listens on without declaring
// it: its mode's (lab/workload), or the one its KUBELAB_ADDR names.
func appPort(c map[string]any) (int, bool) {
	image, _ := c["image"].(string)
	if !workload.IsAppImage(image) {
		return 0, false
	}
	env := map[string]string{}
	list, _, _ := unstructured.NestedSlice(c, "env")
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			name, _ := m["name"].(string)
			value, _ := m["value"].(string)
			env[name] = value
		}
	}
	mode := env[workload.EnvMode]
	if mode == "" {
		mode = workload.DefaultMode
	}
	if !workload.Serves(mode) {
		return 0, false
	}
	if addr := env[workload.EnvAddr]; addr != "" {
		_, port, _ := strings.Cut(addr, ":")
		n, err := strconv.Atoi(port)
		return n, err == nil
	}
	return workload.Port(mode), true
}
