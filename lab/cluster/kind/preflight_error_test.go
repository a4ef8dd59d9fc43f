package kind

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPreflightWithoutDockerIsATypedReasonAndFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var pe *PreflightError
	if err := Preflight(context.Background()); !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want a *PreflightError", err, err)
	}
	if pe.Reason != "no Docker engine found" || !strings.Contains(pe.Fix, "install Docker") || pe.Error() != pe.Reason+": "+pe.Fix {
		t.Errorf("reason %q, fix %q, error %q", pe.Reason, pe.Fix, pe.Error())
	}
}
