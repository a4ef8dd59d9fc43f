package progress

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestMain lets the test binary act as a second kubelab process: with
// KUBELAB_PROGRESS_WRITER set it records changes and exits.
func TestMain(m *testing.M) {
	if path := os.Getenv("KUBELAB_PROGRESS_WRITER"); path != "" {
		os.Exit(recordChanges(path, os.Getenv("KUBELAB_PROGRESS_NAME")))
	}
	os.Exit(m.Run())
}

const changesPerProcess = 500

// recordChanges makes changesPerProcess changes: each one a shared counter
// (the same step for every process) and a step of this process's own.
func recordChanges(path, name string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := range changesPerProcess {
		err := s.Update("shared", "step", func(_ *Lesson, st *Step) { st.Attempts++ })
		if err == nil {
			err = s.Update(name, "step-"+strconv.Itoa(i), func(_ *Lesson, st *Step) { st.HintsShown = i })
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// Two kubelab processes recording 500 changes each at the same time lose
// none of them.
func TestTwoProcessesLoseNoChange(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "progress.json")
	var cmds []*exec.Cmd
	for _, name := range []string{"tui", "quiz"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KUBELAB_PROGRESS_WRITER="+path, "KUBELAB_PROGRESS_NAME="+name)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Snapshot()
	if got := f.Lessons["shared"].Steps["step"].Attempts; got != 2*changesPerProcess {
		t.Errorf("shared counter = %d, want %d: changes were lost", got, 2*changesPerProcess)
	}
	for _, name := range []string{"tui", "quiz"} {
		if l := f.Lessons[name]; l == nil || len(l.Steps) != changesPerProcess {
			t.Errorf("lesson %s: %v steps, want %d", name, l, changesPerProcess)
		}
	}
}

// A Store sees what another process recorded after it opened the file.
func TestSnapshotShowsAnotherProcesssChanges(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "progress.json")
	first, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Update("quiz", "q", func(_ *Lesson, st *Step) { st.Attempts = 3 }); err != nil {
		t.Fatal(err)
	}
	if err := first.Update("pods", "run", func(_ *Lesson, st *Step) { st.Attempts = 1 }); err != nil {
		t.Fatal(err)
	}
	f := first.Snapshot()
	if f.Lessons["quiz"] == nil || f.Lessons["quiz"].Steps["q"].Attempts != 3 || f.Lessons["pods"].Steps["run"].Attempts != 1 {
		t.Fatalf("first store's snapshot lost the other's change: %+v", f.Lessons)
	}
}
