package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/yaml"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
	"github.com/kubelab/kubelab/lab/progress"
)

// applySetup applies the step's setup. An object the learner has remade
// that the API will not change in place (a Job's pod template is immutable)
// is left as the learner made it: opening the step again must not lock
// them out of it. Reset empties the namespace first, so there the setup's
// own object comes back. Each object left is logged (setup-kept).
func (s *Session) applySetup(ctx context.Context, step *lesson.Step) error {
	for _, m := range step.Setup {
		kept, err := s.applyManifest(ctx, m, true)
		if err != nil {
			return fmt.Errorf("apply setup for step %s: %w", step.ID, err)
		}
		for _, obj := range kept {
			if s.cfg.Progress != nil { // the step is not the session's current one yet
				_ = s.cfg.Progress.Log(progress.Event{Lesson: s.Lesson.ID, Step: step.ID, Kind: EventSetupKept, Detail: obj})
			}
		}
	}
	return nil
}

// EventSetupKept is the events.jsonl kind of an object of a step's setup left
// as the learner made it (Detail: "job/migrate").
const EventSetupKept = "setup-kept"

// immutable reports whether err is the API refusing to change a field that
// cannot change once the object exists.
func immutable(err error) bool {
	var st apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &st) || st.Status().Details == nil {
		return false
	}
	causes := st.Status().Details.Causes
	for _, c := range causes {
		if !strings.Contains(c.Message, apivalidation.FieldImmutableErrorMsg) {
			return false
		}
	}
	return len(causes) > 0
}

// ApplySolution carries out the current step's reference solution: its
// kubectl commands, then its manifests. Proofs and `kubelab verify` use it.
func (s *Session) ApplySolution(ctx context.Context) error {
	_, step := s.Step()
	if step == nil {
		return errors.New("no step is running")
	}
	return s.apply(ctx, "solution of step "+step.ID, step.Solution)
}

// CommandOutput is what one command of a solution printed.
type CommandOutput struct {
	Command string // as run, its {{ }} references filled in
	Output  string
}

// apply runs sol's commands, then applies its manifests; what names it in errors.
func (s *Session) apply(ctx context.Context, what string, sol lesson.Solution) error {
	return s.applyTold(ctx, what, sol, nil)
}

// applyTold is apply; told, when set, is given each command's output.
func (s *Session) applyTold(ctx context.Context, what string, sol lesson.Solution, told func(CommandOutput)) error {
	for _, cmd := range sol.Commands {
		cmd, err := s.ExpandRefs(ctx, cmd)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		// The rule lint applies, applied again here: a lesson that skipped
		// lint reaches only the lab cluster and its own namespace.
		c, err := policy.Parse(cmd)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", what, cmd, err)
		}
		if s.cfg.Kubectl == nil {
			return errors.New("this engine cannot run kubectl commands")
		}
		args, cleanup, err := s.lessonFiles(c)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		// A command can fail while a controller is still catching up (an
		// object not created yet, a conflict): try again a little later, as
		// a learner would. Faults themselves wait until their controller has
		// seen them (fault.waitObserved), so `rollout undo` undoes the fault.
		var out string
		for attempt := 1; ; attempt++ {
			out, err = s.cfg.Kubectl(ctx, s.Namespace(), args)
			if err == nil || attempt == 3 {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(2 * time.Second):
			}
		}
		cleanup()
		if told != nil {
			told(CommandOutput{Command: cmd, Output: out})
		}
		if err != nil {
			return fmt.Errorf("%s: %s: %v\n%s", what, cmd, err, out)
		}
	}
	for _, m := range sol.Manifests {
		if err := s.applyFile(ctx, m); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if told != nil {
			told(CommandOutput{Command: "apply " + m, Output: "applied " + m})
		}
	}
	return nil
}

// applyFile server-side applies every object of a manifest file into the
// lesson's namespace.
func (s *Session) applyFile(ctx context.Context, name string) error {
	_, err := s.applyManifest(ctx, name, false)
	return err
}

// applyManifest is applyFile; with keepImmutable, an object whose immutable
// fields differ is left as it is and named in kept ("job/migrate").
func (s *Session) applyManifest(ctx context.Context, name string, keepImmutable bool) (kept []string, err error) {
	data, err := s.Lesson.ReadFile(s.cfg.Lessons, name)
	if err != nil {
		return nil, err
	}
	if err := checkManifestFile(name, data); err != nil {
		return nil, err
	}
	dec := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return kept, nil
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		k, err := check.LookupResource(obj.GetKind())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
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
			return nil, err
		}
		force := true
		ri := s.cfg.Dynamic.Resource(k.GVR)
		opts := metav1.PatchOptions{FieldManager: "kubelab", Force: &force}
		if k.Namespaced {
			_, err = ri.Namespace(s.Namespace()).Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts)
		} else {
			_, err = ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, body, opts)
		}
		if err != nil && keepImmutable && immutable(err) {
			kept = append(kept, k.Name+"/"+obj.GetName())
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: apply %s/%s: %w", name, k.Name, obj.GetName(), err)
		}
	}
}

// ExpandRefs replaces {{ kind/name .path }} in a solution command with what
// `kubectl get kind/name -o jsonpath='{.path}'` prints for that object in the
// lesson's namespace, so a solution can use what only the cluster knows
// ("label the pod with the node it runs on").
func (s *Session) ExpandRefs(ctx context.Context, cmd string) (string, error) {
	return lesson.ExpandRefs(cmd, func(r lesson.Ref) (string, error) { return s.field(ctx, r) })
}

func (s *Session) field(ctx context.Context, r lesson.Ref) (string, error) {
	if err := policy.CheckRef(r.Object); err != nil {
		return "", fmt.Errorf("%s: %w", r.Object, err)
	}
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

// lessonFiles gives kubectl the lesson files a command names (-f web.yaml):
// each is copied out of the lesson into a folder of its own, manifests
// checked as setup is. cleanup removes the folder.
func (s *Session) lessonFiles(c *policy.Command) (args []string, cleanup func(), err error) {
	args = slices.Clone(c.Args)
	if len(c.Files) == 0 {
		return args, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "kubelab-solution-")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	for i, f := range c.Files {
		data, err := s.Lesson.ReadFile(s.cfg.Lessons, f.Name)
		if err != nil {
			return nil, nil, err
		}
		if f.Manifest {
			if err := checkManifestFile(f.Name, data); err != nil {
				return nil, nil, err
			}
		}
		p := filepath.Join(dir, strconv.Itoa(i), filepath.Base(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return nil, nil, err
		}
		args[f.Index] = f.Prefix + p
	}
	return args, cleanup, nil
}

// checkManifestFile applies the rule for manifests (lab/policy) to a lesson
// file, naming the file and line of the first problem.
func checkManifestFile(name string, data []byte) error {
	if ps := policy.CheckManifest(data); len(ps) > 0 {
		return fmt.Errorf("%s:%d: %s", name, ps[0].Line, ps[0].Msg)
	}
	return nil
}
