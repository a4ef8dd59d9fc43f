package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
)

func (s *Session) applySetup(ctx context.Context, step *lesson.Step) error {
	for _, m := range step.Setup {
		if err := s.applyFile(ctx, m); err != nil {
			return fmt.Errorf("apply setup for step %s: %w", step.ID, err)
		}
	}
	return nil
}

// ApplySolution carries out the current step's reference solution: its
// kubectl commands, then its manifests. Proofs and `kubelab verify` use it.
func (s *Session) ApplySolution(ctx context.Context) error {
	_, step := s.Step()
	if step == nil {
		return errors.New("no step is running")
	}
	for _, cmd := range step.Solution.Commands {
		cmd, err := s.ExpandRefs(ctx, cmd)
		if err != nil {
			return fmt.Errorf("solution of step %s: %w", step.ID, err)
		}
		args, err := SplitCommand(cmd)
		if err != nil {
			return err
		}
		if s.cfg.Kubectl == nil {
			return errors.New("this engine cannot run kubectl commands")
		}
		// A command can fail while a controller is still catching up (an
		// object not created yet, a conflict): try again a little later, as
		// a learner would. Faults themselves wait until their controller has
		// seen them (fault.waitObserved), so `rollout undo` undoes the fault.
		var out string
		for attempt := 1; ; attempt++ {
			out, err = s.cfg.Kubectl(ctx, s.Namespace(), args[1:])
			if err == nil || attempt == 3 {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(2 * time.Second):
			}
		}
		if err != nil {
			return fmt.Errorf("solution of step %s: %s: %v\n%s", step.ID, cmd, err, out)
		}
	}
	for _, m := range step.Solution.Manifests {
		if err := s.applyFile(ctx, m); err != nil {
			return fmt.Errorf("solution of step %s: %w", step.ID, err)
		}
	}
	return nil
}

// applyFile server-side applies every object of a manifest file into the
// lesson's namespace.
func (s *Session) applyFile(ctx context.Context, name string) error {
	data, err := s.Lesson.ReadFile(s.cfg.Lessons, name)
	if err != nil {
		return err
	}
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		k, err := check.LookupKind(obj.GetKind())
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if !k.Namespaced {
			labels := obj.GetLabels()
			if labels == nil {
				labels = map[string]string{}
			}
			labels[LabelNamespace] = s.Namespace()
			obj.SetLabels(labels)
		}
		body, err := json.Marshal(obj.Object)
		if err != nil {
			return err
		}
		force := true
		ri := s.cfg.Dynamic.Resource(k.GVR)
		opts := metav1.PatchOptions{FieldManager: "kubelab", Force: &force}
		if k.Namespaced {
			_, err = ri.Namespace(s.Namespace()).Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts)
		} else {
			_, err = ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts)
		}
		if err != nil {
			return fmt.Errorf("%s: apply %s/%s: %w", name, k.Name, obj.GetName(), err)
		}
	}
}

// SplitCommand splits a solution command into words, honouring single and
// double quotes, as a shell would for these simple commands.
func SplitCommand(cmd string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range cmd {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|;&<>`$", r):
			return nil, fmt.Errorf("solution command %q uses shell syntax (%c); give one plain kubectl command per line", cmd, r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("solution command %q has an unclosed quote", cmd)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 || words[0] != "kubectl" {
		return nil, fmt.Errorf("solution command %q must start with kubectl", cmd)
	}
	return words, nil
}

// ExpandRefs replaces {{ kind/name .path }} in a solution command with what
// `kubectl get kind/name -o jsonpath='{.path}'` prints for that object in the
// lesson's namespace, so a solution can use what only the cluster knows
// ("label the pod with the node it runs on").
func (s *Session) ExpandRefs(ctx context.Context, cmd string) (string, error) {
	return lesson.ExpandRefs(cmd, func(r lesson.Ref) (string, error) { return s.field(ctx, r) })
}

func (s *Session) field(ctx context.Context, r lesson.Ref) (string, error) {
	k, name, err := check.ParseObject(r.Object)
	if err != nil {
		return "", err
	}
	path, err := check.ParsePath(r.Path())
	if err != nil {
		return "", err
	}
	ri := s.cfg.Dynamic.Resource(k.GVR)
	var obj *unstructured.Unstructured
	if k.Namespaced {
		obj, err = ri.Namespace(s.Namespace()).Get(ctx, name, metav1.GetOptions{})
	} else {
		obj, err = ri.Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return "", err
	}
	_, v, ok := path.Eval(obj.Object)
	if !ok {
		return "", fmt.Errorf("%s: kubectl get %s -o jsonpath='%s' prints nothing", r, r.Object, r.Path())
	}
	return v, nil
}
