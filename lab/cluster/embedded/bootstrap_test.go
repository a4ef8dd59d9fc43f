package embedded_test

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// The cluster is up before the API server's own bootstrap hooks are done
// (kubelab-cluster creates their roles and priority classes itself, at once):
// the hooks then finish, finding everything in place, and /readyz passes
// whole; the components' roles are there.
func TestBootstrapHooksFinishOnTheRolesKubelabCreated(t *testing.T) {
	t.Parallel()
	cs := clustertest.Cluster(t).Client
	clustertest.Eventually(t, 60*time.Second, "/readyz with every post-start hook", func(ctx context.Context) (bool, string) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").Param("verbose", "1").DoRaw(ctx)
		return err == nil, string(body)
	})
	ctx := context.Background()
	for _, name := range []string{"system:kube-controller-manager", "system:kube-scheduler", "system:controller:deployment-controller"} {
		if _, err := cs.RbacV1().ClusterRoleBindings().Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("clusterrolebinding %s: %v", name, err)
		}
	}
	for _, name := range []string{"system-node-critical", "system-cluster-critical"} {
		if _, err := cs.SchedulingV1().PriorityClasses().Get(ctx, name, metav1.GetOptions{}); err != nil {
			t.Errorf("priorityclass %s: %v", name, err)
		}
	}
	rb, err := cs.RbacV1().RoleBindings("kube-system").Get(ctx, "system:controller:bootstrap-signer", metav1.GetOptions{})
	if err != nil || rb.Annotations["rbac.authorization.kubernetes.io/autoupdate"] != "true" {
		t.Errorf("a namespaced bootstrap binding: %v %v", rb.GetAnnotations(), err)
	}
}
