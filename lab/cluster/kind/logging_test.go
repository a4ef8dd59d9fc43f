package kind

import (
	"strings"
	"testing"
)

func TestKindProgressBecomesPhases(t *testing.T) {
	t.Parallel()
	var got []string
	l := &phaseLogger{phase: func(_, title string) { got = append(got, title) }}
	l.V(0).Infof(" • Ensuring node image (kubelab/node:v1.37.2) 🖼  ...")
	l.V(0).Info(" ✓ Ensuring node image (kubelab/node:v1.37.2) 🖼")
	l.V(0).Info(" • Preparing nodes 📦 📦 📦  ...")
	l.V(0).Info(" • Joining worker nodes 🚜  ...")
	l.V(1).Info("debug noise")
	want := []string{"Ensuring node image (kubelab/node:v1.37.2)", "Preparing nodes", "Joining worker nodes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("phases = %q, want %q", got, want)
	}
}
