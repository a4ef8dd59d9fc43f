package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
)

// On a shared cluster (Config.Shared) a learner may act only inside their
// own namespaces: the class made them, and they stay. A step that needs
// more is refused before it is set up, with one sentence of why
// (UnavailableError), derived from the step's content by Needs.

// ClassLabel marks what a class put in a learner's namespace (its access and
// budget): reset and cleanup keep it. It is lab/class's LabelClass.
const ClassLabel = "kubelab.io/class"

// UnavailableError says why a step cannot run on a shared cluster.
type UnavailableError struct{ Why string }

func (e *UnavailableError) Error() string { return e.Why }

// ErrUnavailable is what every UnavailableError is.
var ErrUnavailable = errors.New("this step cannot run on a shared class cluster")

func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

const ownCluster = "; it runs on a cluster of your own (`kubelab up`)."

// Needs says, in one sentence, what step i of l needs beyond the learner's
// namespace on a shared cluster: a node or container fault, a cluster-wide
// object in its setup, solution or goals, or a fixed node port. "" when it
// needs nothing more; it follows the steps it builds on.
func Needs(fsys fs.FS, l *lesson.Lesson, i int) string {
	seen := map[int]bool{}
	for i >= 0 && !seen[i] {
		seen[i] = true
		st := &l.Steps[i]
		if why := stepNeeds(fsys, l, st); why != "" {
			return why
		}
		if st.BuildsOn == "" {
			return ""
		}
		i, _, _ = l.Step(st.BuildsOn)
	}
	return ""
}

func stepNeeds(fsys fs.FS, l *lesson.Lesson, st *lesson.Step) string {
	for _, f := range st.Faults {
		switch f.Type {
		case "node-down":
			return "This step takes a node down, and the nodes of a shared class cluster are not yours to stop" + ownCluster
		case "kill-container":
			return "This step kills a container on its node, which a shared class cluster does not let a learner do" + ownCluster
		}
	}
	for _, g := range st.Goals {
		if k := goalKind(g); k != "" {
			// Nodes a class's learners may read (lab/class gives them that).
			if r, err := check.LookupResource(k); err == nil && !r.Namespaced && r.Plural != "nodes" {
				return fmt.Sprintf("This step checks %s, cluster-wide objects a learner on a shared class cluster may not read", r.Plural) + ownCluster
			}
		}
	}
	files := append([]string(nil), st.Setup...)
	files = append(files, st.Solution.Manifests...)
	for _, cmd := range st.Solution.Commands {
		if c, err := policy.Parse(cmd); err == nil {
			for _, f := range c.Files {
				if f.Manifest {
					files = append(files, f.Name)
				}
			}
		}
		if strings.Contains(cmd, "--node-port") {
			return "This step uses a fixed node port, which would collide between learners on one cluster" + ownCluster
		}
	}
	for _, name := range files {
		data, err := l.ReadFile(fsys, name)
		if err != nil {
			continue // the step's own start says so
		}
		if why := manifestNeeds(data); why != "" {
			return why
		}
	}
	return ""
}

func goalKind(g lesson.Goal) string {
	switch {
	case g.Exists != nil:
		return g.Exists.Kind
	case g.Count != nil:
		return g.Count.Kind
	case g.CEL != nil:
		return g.CEL.Kind
	case g.Field != nil:
		k, _, _ := strings.Cut(g.Field.Object, "/")
		return k
	case g.Condition != nil:
		k, _, _ := strings.Cut(g.Condition.Object, "/")
		return k
	}
	return ""
}

// manifestNeeds looks for what a namespace's admin may not make.
func manifestNeeds(data []byte) string {
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); err != nil {
			return "" // io.EOF; a broken manifest fails the step's own start
		}
		if len(obj.Object) == 0 {
			continue
		}
		kind := obj.GetKind()
		if r, err := check.LookupResource(kind); err == nil && !r.Namespaced {
			return fmt.Sprintf("This step makes a %s, a cluster-wide object a learner on a shared class cluster may not create", kind) + ownCluster
		}
		switch kind {
		case "Namespace", "Node", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass":
			return fmt.Sprintf("This step makes a %s, a cluster-wide object a learner on a shared class cluster may not create", kind) + ownCluster
		case "ResourceQuota", "LimitRange":
			return fmt.Sprintf("This step writes a %s, which the class sets for you on a shared cluster", kind) + ownCluster
		case "Service":
			ports, _, _ := unstructured.NestedSlice(obj.Object, "spec", "ports")
			for _, p := range ports {
				if m, ok := p.(map[string]any); ok && m["nodePort"] != nil {
					return fmt.Sprintf("This step uses the fixed node port %v, which would collide between learners on one cluster", m["nodePort"]) + ownCluster
				}
			}
		}
	}
}

// sharedNamespace waits for the learner's namespace, which the class made,
// to take pods; it never creates one.
func (s *Session) sharedNamespace(ctx context.Context) error {
	ns := s.Namespace()
	_, err := s.cfg.Client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err):
		return fmt.Errorf("namespace %s is not one of yours in this class: ask your instructor to add this lesson to the class (`kubelab class create` again)", ns)
	case err != nil:
		return fmt.Errorf("read namespace %s: %w", ns, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := s.cfg.Client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("namespace %s has no default service account after 30s: %w", ns, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// missingFacts are the facts a cluster may lack, with the sentence a step
// that uses one says there.
var missingFacts = []struct{ fact, why string }{
	{lesson.FactControlPlane, "This step looks at the control-plane node, and this cluster shows none (a managed cluster keeps its control plane out of sight)"},
	{lesson.FactWorker, "This step looks at a worker node, and this cluster shows none"},
	{lesson.FactStorageClass, "This step uses the cluster's default StorageClass, and this cluster has none"},
}

// needsFacts says why step i cannot run on this cluster when it names a
// node or a default StorageClass the cluster does not have: a managed
// cluster (EKS, GKE, AKS) hides its control plane. The session's lesson
// has its facts filled in, so the lesson as written says which it uses.
func (s *Session) needsFacts(i int) string {
	if s.cfg.Facts == nil {
		return ""
	}
	for _, m := range missingFacts {
		if s.cfg.Facts[m.fact] == "" && s.unlocalized.Steps[i].UsesFact(m.fact) {
			return m.why + ownCluster
		}
	}
	return ""
}
