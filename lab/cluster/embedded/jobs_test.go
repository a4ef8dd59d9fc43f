package embedded_test

import (
	"testing"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

// The simulated nodes run a Job's pods as real kubelets do: the same cases
// run against kind in make e2e-kind (cmd/kubelab/kind_e2e_test.go).
func TestJobsBehaveAsOnARealNode(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	for _, c := range clustertest.JobCases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			cs, ns := clustertest.Namespace(t)
			c.Run(t, cs, ns, env.Provider)
		})
	}
}
