package check_test

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/kubelab/kubelab/lab/lesson"
)

// hasEnv and envValue read a container's env wherever the object keeps its
// pods' spec: a Deployment's template, a CronJob's job template.
func TestHasEnvReadsTheContainersEnvironment(t *testing.T) {
	t.Parallel()
	podSpec := corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{
		{Name: "log", Image: "kubelab/app:v1"},
		{Name: "app", Image: "kubelab/app:v1", Env: []corev1.EnvVar{{Name: "KUBELAB_MODE", Value: "job"}, {Name: "EMPTY"}}},
	}}
	labels := map[string]string{"app": "web"}
	deploy := func(ctx context.Context, cs kubernetes.Interface, ns string) error {
		spec := podSpec.DeepCopy()
		spec.RestartPolicy = corev1.RestartPolicyAlways
		_, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: *spec},
		}}, metav1.CreateOptions{})
		return err
	}
	cron := func(ctx context.Context, cs kubernetes.Interface, ns string) error {
		_, err := cs.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: batchv1.CronJobSpec{
			Schedule:    "0 3 * * *",
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: podSpec}}},
		}}, metav1.CreateOptions{})
		return err
	}
	for _, tc := range []struct {
		name, kind, expr string
		create           func(ctx context.Context, cs kubernetes.Interface, ns string) error
		want             bool
	}{
		{"deployment: set", "deployment", "hasEnv(object, 'app', 'KUBELAB_MODE')", deploy, true},
		{"deployment: its value", "deployment", "envValue(object, 'app', 'KUBELAB_MODE') == 'job'", deploy, true},
		{"deployment: set, empty", "deployment", "hasEnv(object, 'app', 'EMPTY') && envValue(object, 'app', 'EMPTY') == ''", deploy, true},
		{"deployment: not set", "deployment", "hasEnv(object, 'app', 'KUBELAB_MESSAGE')", deploy, false},
		{"deployment: another container", "deployment", "hasEnv(object, 'log', 'KUBELAB_MODE')", deploy, false},
		{"deployment: no such container", "deployment", "hasEnv(object, 'db', 'KUBELAB_MODE')", deploy, false},
		{"cronjob: set", "cronjob", "hasEnv(object, 'app', 'KUBELAB_MODE') && envValue(object, 'app', 'KUBELAB_MODE') == 'job'", cron, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := lesson.Goal{ID: "env", Title: "env", Expect: "the env var", CEL: &lesson.CELGoal{Kind: tc.kind, Name: "web", Expr: tc.expr}}
			judge(t, g, tc.want, tc.create)
		})
	}
}
