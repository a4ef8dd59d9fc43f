package check_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/check"
	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lessons"
)

// builtinGoal is goal id of step of built-in lesson lessonID, as written.
func builtinGoal(t *testing.T, lessonID, step, id string) lesson.Goal {
	t.Helper()
	all, err := lesson.LoadAll(lessons.FS(), ".", lesson.Validators{Goal: check.Validate})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if l.ID != lessonID {
			continue
		}
		for _, st := range l.Steps {
			for _, g := range st.Goals {
				if st.ID == step && g.ID == id {
					return g
				}
			}
		}
	}
	t.Fatalf("no goal %s/%s/%s", lessonID, step, id)
	return lesson.Goal{}
}

// judge runs goal g in a fresh namespace holding what create makes there and
// waits until it passes (want) or fails with a result that names the object.
func judge(t *testing.T, g lesson.Goal, want bool, create func(ctx context.Context, cs kubernetes.Interface, ns string) error) {
	t.Helper()
	c, cs, ns := start(t, g)
	if err := create(context.Background(), cs, ns); err != nil {
		t.Fatal(err)
	}
	what := fmt.Sprintf("%s pass=%v", g.ID, want)
	await(t, c, g.ID, what, func(r check.Result) bool { return r.Pass == want && r.Actual != "" })
}

func TestSameQuantityAndScaledValueCompareAsKubernetesMeansThem(t *testing.T) {
	t.Parallel()
	// ConfigMap data stays as written (the API server does not canonicalize
	// it), so the functions see the very strings a learner types.
	goal := lesson.Goal{ID: "q", Title: "q", Expect: "1Gi, 100m, maxSurge 1 and maxUnavailable 0 of 4", CEL: &lesson.CELGoal{Kind: "configmap", Name: "v",
		Expr: "sameQuantity(object.data.mem, '1Gi') && sameQuantity(object.data.cpu, '100m') && " +
			"scaledValue(object.data.surge, 4, true) == 1 && scaledValue(object.data.unavailable, 4, false) == 0 && scaledValue(3, 4, true) == 3",
		Actual: "object.data.mem + ' ' + object.data.cpu + ' ' + object.data.surge + ' ' + object.data.unavailable"}}
	for _, tc := range []struct {
		name string
		data map[string]string
		want bool
	}{
		{"1024Mi is 1Gi, 0.1 is 100m, 25% of 4 rounds up to 1, 10% of 4 down to 0", map[string]string{"mem": "1024Mi", "cpu": "0.1", "surge": "25%", "unavailable": "10%"}, true},
		{"the plain values", map[string]string{"mem": "1Gi", "cpu": "100m", "surge": "1", "unavailable": "0"}, true},
		{"1000Mi is not 1Gi", map[string]string{"mem": "1000Mi", "cpu": "100m", "surge": "1", "unavailable": "0"}, false},
		{"50% of 4 is 2, not 1", map[string]string{"mem": "1Gi", "cpu": "100m", "surge": "50%", "unavailable": "0"}, false},
		{"25% of 4 unavailable is 1, not 0", map[string]string{"mem": "1Gi", "cpu": "100m", "surge": "1", "unavailable": "25%"}, false},
		{"not a quantity", map[string]string{"mem": "lots", "cpu": "100m", "surge": "1", "unavailable": "0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			judge(t, goal, tc.want, func(ctx context.Context, cs kubernetes.Interface, ns string) error {
				_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "v"}, Data: tc.data}, metav1.CreateOptions{})
				return err
			})
		})
	}
}

// 13-recap/build: the hints' `kubectl set env --from=configmap/shop-config`
// writes env[].valueFrom.configMapKeyRef; that reads shop-config as envFrom does.
func TestRecapDeployGoalTakesEnvFromAndValueFrom(t *testing.T) {
	t.Parallel()
	goal := builtinGoal(t, "recap", "build", "deploy")
	fromKey := func(cm string) []corev1.EnvVar {
		return []corev1.EnvVar{{Name: "COLOR", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: cm}, Key: "COLOR"}}}}
	}
	envFrom := []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "shop-config"}}}}
	for _, tc := range []struct {
		name    string
		env     []corev1.EnvVar
		envFrom []corev1.EnvFromSource
		cpu     string
		want    bool
	}{
		{"envFrom", nil, envFrom, "100m", true},
		{"valueFrom per key, as kubectl set env --from writes it", fromKey("shop-config"), nil, "100m", true},
		{"valueFrom per key with cpu 0.1", fromKey("shop-config"), nil, "0.1", true},
		{"valueFrom another ConfigMap", fromKey("other-config"), nil, "100m", false},
		{"no config at all", nil, nil, "100m", false},
		{"envFrom but cpu 200m", nil, envFrom, "200m", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			judge(t, goal, tc.want, func(ctx context.Context, cs kubernetes.Interface, ns string) error {
				d := deployment("shop", "kubelab/app:v2", 1, map[string]string{"app": "shop"})
				c := &d.Spec.Template.Spec.Containers[0]
				c.Env, c.EnvFrom = tc.env, tc.envFrom
				c.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(tc.cpu)}
				_, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
				return err
			})
		})
	}
}

// 07-deployments: maxSurge and maxUnavailable count as the Deployment
// controller counts them against the 4 replicas.
func TestSurgeGoalsResolvePercentagesAgainstReplicas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step, goal         string
		surge, unavailable intstr.IntOrString
		want               bool
	}{
		{"one-by-one", "surge-one", intstr.FromString("25%"), intstr.FromInt(0), true},
		{"one-by-one", "surge-one", intstr.FromInt(1), intstr.FromInt(0), true},
		{"one-by-one", "surge-one", intstr.FromInt(2), intstr.FromInt(0), false},
		{"one-by-one", "surge-one", intstr.FromString("25%"), intstr.FromString("25%"), false},
		{"several", "surge-two", intstr.FromString("50%"), intstr.FromString("25%"), true},
		{"several", "surge-two", intstr.FromString("25%"), intstr.FromInt(1), false},
	} {
		t.Run(fmt.Sprintf("%s maxSurge %s maxUnavailable %s", tc.goal, tc.surge.String(), tc.unavailable.String()), func(t *testing.T) {
			t.Parallel()
			goal := builtinGoal(t, "deployments", tc.step, tc.goal)
			judge(t, goal, tc.want, func(ctx context.Context, cs kubernetes.Interface, ns string) error {
				d := deployment("web", "kubelab/app:v1", 4, map[string]string{"app": "web"})
				d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
					RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &tc.surge, MaxUnavailable: &tc.unavailable}}
				_, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
				return err
			})
		})
	}
}

// 11-storage/claim: a volume of 1024Mi offers 1Gi.
func TestVolumeGoalComparesCapacityAsAQuantity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		capacity string
		want     bool
	}{{"1024Mi", true}, {"1Gi", true}, {"2Gi", false}} {
		t.Run(tc.capacity, func(t *testing.T) {
			t.Parallel()
			goal := builtinGoal(t, "storage", "claim", "pv")
			// The volume is cluster-wide: give it a name of this test's own.
			cel := *goal.CEL
			cel.Name = "kubelab-fair-pv-" + strings.ToLower(tc.capacity)
			goal.CEL = &cel
			judge(t, goal, tc.want, func(ctx context.Context, cs kubernetes.Interface, ns string) error {
				pv := &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: cel.Name}, Spec: corev1.PersistentVolumeSpec{
					Capacity:               corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(tc.capacity)},
					AccessModes:            []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					StorageClassName:       "manual",
					PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/tmp/" + ns}},
				}}
				_, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{})
				t.Cleanup(func() {
					_ = cs.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
				})
				return err
			})
		})
	}
}
