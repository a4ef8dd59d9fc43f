package kind

import (
	"testing"

	"github.com/kubelab/kubelab/lab/cluster"
	labnodes "github.com/kubelab/kubelab/lab/cluster/nodes"
)

func TestAllReadyWantsEveryLabNodeReady(t *testing.T) {
	t.Parallel()
	ready := func(names ...string) []cluster.Node {
		var out []cluster.Node
		for _, n := range names {
			out = append(out, cluster.Node{Name: n, Ready: true})
		}
		return out
	}
	if !allReady(ready(labnodes.All...)) {
		t.Error("every lab node Ready: want ready")
	}
	if allReady(ready(labnodes.All[:len(labnodes.All)-1]...)) {
		t.Error("a lab node missing: want not ready")
	}
	if allReady(ready(append([]string{"stranger"}, labnodes.All[1:]...)...)) {
		t.Error("a node that is not a lab node in place of one: want not ready")
	}
	notReady := ready(labnodes.All...)
	notReady[1].Ready = false
	if allReady(notReady) {
		t.Errorf("%s NotReady: want not ready", notReady[1].Name)
	}
}
