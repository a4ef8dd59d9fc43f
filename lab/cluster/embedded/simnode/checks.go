package simnode

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	listerscorev1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/kubelab/kubelab/lab/workload"
)

// What a real kubelet finds out before it starts a container, and kwok's
// stages cannot (they see one pod at a time): whether the ConfigMaps and
// Secrets a pod uses exist and hold the keys it asks for, and whether a
// container that uses memory (workload.EnvMemory) stays under its limit,
// and whether its containers end by themselves (finish.go).
// The checks write their verdict into annotations the stages select on
// (assets/stages/pod.yaml).
const (
	// AnnotationConfig is "ok" or "error" on a pod that uses ConfigMaps or Secrets.
	AnnotationConfig = "kubelab.dev/sim-config"
	// AnnotationConfigReason is the waiting reason when the config is missing.
	AnnotationConfigReason = "kubelab.dev/sim-config-reason"
	// AnnotationConfigMessage says what is missing, in the kubelet's words.
	AnnotationConfigMessage = "kubelab.dev/sim-config-message"
	// AnnotationOOM lists the containers that use more memory than their limit.
	AnnotationOOM = "kubelab.dev/sim-oom"
)

type checks struct {
	cs      kubernetes.Interface
	pods    listerscorev1.PodLister
	cms     listerscorev1.ConfigMapLister
	secrets listerscorev1.SecretLister
	queue   workqueue.TypedRateLimitingInterface[types.NamespacedName]
}

// startChecks runs the checks; the event recorder reports what they find
// when the pod's status shows it (events.go), as a kubelet does.
func startChecks(ctx context.Context, cs kubernetes.Interface, factory informers.SharedInformerFactory) error {
	c := &checks{
		cs:      cs,
		pods:    factory.Core().V1().Pods().Lister(),
		cms:     factory.Core().V1().ConfigMaps().Lister(),
		secrets: factory.Core().V1().Secrets().Lister(),
		queue:   workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[types.NamespacedName]()),
	}
	enqueuePod := func(obj any) {
		if p, ok := obj.(*corev1.Pod); ok {
			c.queue.Add(types.NamespacedName{Namespace: p.Namespace, Name: p.Name})
		}
	}
	if _, err := factory.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueuePod,
		UpdateFunc: func(_, n any) { enqueuePod(n) },
	}); err != nil {
		return err
	}
	// A ConfigMap or Secret that appears, changes or goes away: look again at
	// every pod of its namespace (lab namespaces hold a handful).
	enqueueNS := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		m, ok := obj.(metav1.Object)
		if !ok {
			return
		}
		pods, _ := c.pods.Pods(m.GetNamespace()).List(labels.Everything())
		for _, p := range pods {
			c.queue.Add(types.NamespacedName{Namespace: p.Namespace, Name: p.Name})
		}
	}
	h := cache.ResourceEventHandlerFuncs{AddFunc: enqueueNS, UpdateFunc: func(_, n any) { enqueueNS(n) }, DeleteFunc: enqueueNS}
	if _, err := factory.Core().V1().ConfigMaps().Informer().AddEventHandler(h); err != nil {
		return err
	}
	if _, err := factory.Core().V1().Secrets().Informer().AddEventHandler(h); err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		c.queue.ShutDown()
	}()
	go func() {
		for c.next(ctx) {
		}
	}()
	return nil
}

func (c *checks) next(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.sync(ctx, key); err != nil {
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

func (c *checks) sync(ctx context.Context, key types.NamespacedName) error {
	pod, err := c.pods.Pods(key.Namespace).Get(key.Name)
	if err != nil || pod.DeletionTimestamp != nil {
		return nil //nolint:nilerr // gone: nothing to check
	}
	want := map[string]*string{}
	if uses, reason, msg := c.configVerdict(pod); uses {
		if reason == "" {
			want[AnnotationConfig], want[AnnotationConfigReason], want[AnnotationConfigMessage] = ptr("ok"), nil, nil
		} else {
			want[AnnotationConfig], want[AnnotationConfigReason], want[AnnotationConfigMessage] = ptr("error"), ptr(reason), ptr(msg)
		}
	}
	oom := oomContainers(pod)
	if len(oom) > 0 {
		want[AnnotationOOM] = ptr(strings.Join(oom, ","))
	}
	if d, ok := finishesAfter(pod, oom); ok {
		want[AnnotationFinishes] = ptr(d.String())
	}
	if exits, d := exitsAndRestarts(pod, oom); len(exits) > 0 {
		want[AnnotationExits], want[AnnotationExitsAfter] = ptr(strings.Join(exits, ",")), ptr(d.String())
	}
	changed := map[string]*string{}
	for k, v := range want {
		cur, has := pod.Annotations[k]
		if (v == nil && has) || (v != nil && (!has || cur != *v)) {
			changed[k] = v
		}
	}
	if len(changed) == 0 {
		return nil
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": changed}})
	if err != nil {
		return err
	}
	_, err = c.cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err != nil && strings.Contains(err.Error(), "not found") {
		return nil
	}
	return err
}

// configVerdict says whether the pod uses ConfigMaps or Secrets and, when
// one it needs is missing, the waiting reason and the kubelet's message.
func (c *checks) configVerdict(pod *corev1.Pod) (uses bool, reason, msg string) {
	ns := pod.Namespace
	fail := func(r, m string) {
		if reason == "" {
			reason, msg = r, m
		}
	}
	for _, v := range pod.Spec.Volumes {
		switch {
		case v.ConfigMap != nil:
			uses = true
			if _, err := c.cms.ConfigMaps(ns).Get(v.ConfigMap.Name); err != nil && !isTrue(v.ConfigMap.Optional) {
				fail("ContainerCreating", fmt.Sprintf("MountVolume.SetUp failed for volume %q : configmap %q not found", v.Name, v.ConfigMap.Name))
			}
		case v.Secret != nil:
			uses = true
			if _, err := c.secrets.Secrets(ns).Get(v.Secret.SecretName); err != nil && !isTrue(v.Secret.Optional) {
				fail("ContainerCreating", fmt.Sprintf("MountVolume.SetUp failed for volume %q : secret %q not found", v.Name, v.Secret.SecretName))
			}
		}
	}
	containers := append(slices.Clone(pod.Spec.InitContainers), pod.Spec.Containers...)
	for _, ctr := range containers {
		for _, from := range ctr.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				uses = true
				if _, err := c.cms.ConfigMaps(ns).Get(from.ConfigMapRef.Name); err != nil && !isTrue(from.ConfigMapRef.Optional) {
					fail("CreateContainerConfigError", fmt.Sprintf("configmap %q not found", from.ConfigMapRef.Name))
				}
			case from.SecretRef != nil:
				uses = true
				if _, err := c.secrets.Secrets(ns).Get(from.SecretRef.Name); err != nil && !isTrue(from.SecretRef.Optional) {
					fail("CreateContainerConfigError", fmt.Sprintf("secret %q not found", from.SecretRef.Name))
				}
			}
		}
		for _, e := range ctr.Env {
			if e.ValueFrom == nil {
				continue
			}
			if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil {
				uses = true
				if isTrue(ref.Optional) {
					continue
				}
				cm, err := c.cms.ConfigMaps(ns).Get(ref.Name)
				switch {
				case err != nil:
					fail("CreateContainerConfigError", fmt.Sprintf("configmap %q not found", ref.Name))
				case !hasKey(cm.Data, ref.Key) && cm.BinaryData[ref.Key] == nil:
					fail("CreateContainerConfigError", fmt.Sprintf("couldn't find key %s in ConfigMap %s/%s", ref.Key, ns, ref.Name))
				}
			}
			if ref := e.ValueFrom.SecretKeyRef; ref != nil {
				uses = true
				if isTrue(ref.Optional) {
					continue
				}
				s, err := c.secrets.Secrets(ns).Get(ref.Name)
				switch {
				case err != nil:
					fail("CreateContainerConfigError", fmt.Sprintf("secret %q not found", ref.Name))
				case s.Data[ref.Key] == nil && !hasKey(s.StringData, ref.Key):
					fail("CreateContainerConfigError", fmt.Sprintf("couldn't find key %s in Secret %s/%s", ref.Key, ns, ref.Name))
				}
			}
		}
	}
	return uses, reason, msg
}

// oomContainers lists the containers whose workload.EnvMemory is more than
// their memory limit: the kernel kills them (OOMKilled).
func oomContainers(pod *corev1.Pod) []string {
	var out []string
	for _, ctr := range pod.Spec.Containers {
		limit, ok := ctr.Resources.Limits[corev1.ResourceMemory]
		if !ok {
			continue
		}
		for _, e := range ctr.Env {
			if e.Name != workload.EnvMemory {
				continue
			}
			use, err := resource.ParseQuantity(e.Value)
			if err == nil && use.Cmp(limit) > 0 {
				out = append(out, ctr.Name)
			}
		}
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func isTrue(b *bool) bool { return b != nil && *b }

func ptr(s string) *string { return &s }
