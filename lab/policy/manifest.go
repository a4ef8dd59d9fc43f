package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kubelab/kubelab/lab/check"
)

// Problem is one thing a manifest may not do, at a line of its file.
type Problem struct {
	Line int
	Msg  string
}

// clusterKinds are the cluster-wide kinds a lesson may create: the engine
// labels them as the lesson's and deletes them with it.
var clusterKinds = map[string]bool{"persistentvolume": true, "storageclass": true, "ingressclass": true}

// powerKinds change who may do what, or what the API server calls.
var powerKinds = map[string]bool{
	"role": true, "rolebinding": true, "clusterrole": true, "clusterrolebinding": true,
	"validatingwebhookconfiguration": true, "mutatingwebhookconfiguration": true,
	"validatingadmissionpolicy": true, "validatingadmissionpolicybinding": true,
	"mutatingadmissionpolicy": true, "mutatingadmissionpolicybinding": true,
	"apiservice": true, "customresourcedefinition": true, "namespace": true,
	"certificatesigningrequest": true, "priorityclass": true, "runtimeclass": true,
}

// podRules are the fields that would give a pod power over its node.
var podRules = map[string]string{
	"privileged":   "a privileged container has the whole node",
	"hostNetwork":  "hostNetwork puts a pod in the node's network",
	"hostPID":      "hostPID shows a pod the node's processes",
	"hostIPC":      "hostIPC shares the node's IPC with a pod",
	"capabilities": "added capabilities give a container powers over its node",
	"externalIPs":  "a Service's externalIPs can capture other traffic in the cluster",
}

// CheckManifest checks every object of a manifest file (one or more YAML or
// JSON documents) and returns each problem with its line.
func CheckManifest(data []byte) []Problem {
	var ps []Problem
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return ps
		}
		if err != nil {
			return append(ps, Problem{Msg: fmt.Sprintf("not valid YAML: %v", strings.TrimPrefix(err.Error(), "yaml: "))})
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		ps = append(ps, checkObject(doc.Content[0])...)
	}
}

func checkObject(obj *yaml.Node) []Problem {
	kind := value(obj, "kind")
	if kind == nil {
		return []Problem{{Line: obj.Line, Msg: "an object needs a kind"}}
	}
	name := strings.ToLower(kind.Value)
	if powerKinds[name] {
		return []Problem{{Line: kind.Line, Msg: fmt.Sprintf("kind %s is refused: a lesson never changes who may do what, what the API server calls, or the cluster's namespaces", kind.Value)}}
	}
	k, err := check.LookupResource(name)
	switch {
	case err != nil && !clusterKinds[name]:
		return []Problem{{Line: kind.Line, Msg: fmt.Sprintf("kind %s is refused: kubelab applies only the kinds it knows (pods, workloads, services, config, storage, ingress)", kind.Value)}}
	case err == nil && !k.Namespaced && !clusterKinds[name]:
		return []Problem{{Line: kind.Line, Msg: fmt.Sprintf("kind %s is refused: it lives outside the lesson's namespace", kind.Value)}}
	}
	var ps []Problem
	if md := value(obj, "metadata"); md != nil {
		if ns := value(md, "namespace"); ns != nil {
			ps = append(ps, Problem{Line: ns.Line, Msg: "metadata.namespace is refused: the engine puts every object in the lesson's namespace; drop it"})
		}
	}
	walk(obj, func(key string, v *yaml.Node) {
		if why, ok := podRules[key]; ok && grants(key, v) {
			ps = append(ps, Problem{Line: v.Line, Msg: fmt.Sprintf("%s is refused: %s", key, why)})
		}
	})
	return ps
}

// forbiddenKeyIn returns the first pod rule a patch (JSON or YAML, a merge
// patch or a JSON patch) would break, or "".
func forbiddenKeyIn(patch string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(patch), &n); err != nil {
		return ""
	}
	found := ""
	walk(&n, func(key string, v *yaml.Node) {
		if found != "" {
			return
		}
		if _, ok := podRules[key]; ok && grants(key, v) {
			found = key
		}
		// A JSON patch names the field in its path: /spec/template/spec/hostPID.
		if key == "path" && v.Kind == yaml.ScalarNode {
			last := v.Value[strings.LastIndex(v.Value, "/")+1:]
			if _, ok := podRules[last]; ok {
				found = last
			}
		}
	})
	return found
}

// grants says whether a field's value turns its power on (true, a list or
// map with something in it).
func grants(key string, v *yaml.Node) bool {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Value == "true" || (key == "capabilities" && v.Value != "" && v.Value != "null")
	case yaml.SequenceNode:
		return len(v.Content) > 0
	case yaml.MappingNode:
		if key == "capabilities" {
			add := value(v, "add")
			return add != nil && grants("", add)
		}
		return len(v.Content) > 0
	}
	return false
}

// walk calls fn for every key of every mapping under n, with its value.
func walk(n *yaml.Node, fn func(key string, v *yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			walk(c, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			fn(n.Content[i].Value, n.Content[i+1])
			walk(n.Content[i+1], fn)
		}
	}
}

// value is the value of key in mapping n, or nil.
func value(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
