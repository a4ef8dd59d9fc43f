package kind

import (
	"context"
	"strings"
	"testing"
)

func TestPreflightWithoutDockerSaysWhatToDo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Preflight(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no Docker engine found") || !strings.Contains(err.Error(), "--backend embedded") {
		t.Fatalf("err = %v", err)
	}
}
