package kubectlver_test

import (
	"os"
	"path/filepath"
	"testing"
)

func chmodNoExec(t *testing.T, dir string) {
	t.Helper()
	if err := os.Chmod(filepath.Join(dir, "kubectl"), 0o644); err != nil {
		t.Fatal(err)
	}
}
