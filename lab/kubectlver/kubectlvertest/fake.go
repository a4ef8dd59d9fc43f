// Package kubectlvertest writes fake kubectl programs for tests: shell scripts
// that answer `kubectl version --client -o json` as a real kubectl does.
package kubectlvertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Marker is what a fake prints for any command but `version --client -o json`,
// so a test sees that the fake, not another kubectl, ran.
const Marker = "fake kubectl"

// Kubectl writes dir/kubectl reporting gitVersion (e.g. "v1.32.4") and
// returns dir, to put first on PATH. An empty dir means a new temporary one.
func Kubectl(t testing.TB, dir, gitVersion string) string {
	t.Helper()
	major, minor, _ := strings.Cut(strings.TrimPrefix(gitVersion, "v"), ".")
	minor, _, _ = strings.Cut(minor, ".")
	// As kubectl v1.32 prints it.
	answer := fmt.Sprintf(`{
  "clientVersion": {
    "major": %q,
    "minor": %q,
    "gitVersion": %q,
    "gitCommit": "4cb5f0764b8d5f425645c6f433394fede34a8a26",
    "gitTreeState": "clean",
    "buildDate": "2025-05-15T20:09:34Z",
    "goVersion": "go1.23.8",
    "compiler": "gc",
    "platform": "linux/amd64"
  },
  "kustomizeVersion": "v5.5.0"
}`, major, minor, gitVersion)
	// Builtins only: the script must not depend on what else PATH holds.
	return Script(t, dir, fmt.Sprintf(`if [ "$*" = "version --client -o json" ]; then
  printf '%%s\n' '%s'
  exit 0
fi
echo "%s %s: $*"`, answer, Marker, gitVersion))
}

// Script writes dir/kubectl running body with /bin/sh and returns dir (a new
// temporary one when dir is empty): for kubectls that hang or babble.
func Script(t testing.TB, dir, body string) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.WriteFile(filepath.Join(dir, "kubectl"), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
