package progress

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestUpdatesSurviveReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "progress.json")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Update("pods", "run", func(_ *Lesson, st *Step) { st.Attempts++; st.HintsShown = 2 }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("pods", "run", func(_ *Lesson, st *Step) { st.TimeSpent += 3 * time.Second; st.Finished = time.Now() }); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f := again.Snapshot()
	st := f.Lessons["pods"].Steps["run"]
	if st.Attempts != 1 || st.HintsShown != 2 || st.TimeSpent != 3*time.Second || st.Finished.IsZero() || f.Last != "pods" {
		t.Fatalf("reopened progress = %+v (last %q)", st, f.Last)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode().Perm())
	}
}

func TestCorruptFileIsKeptAsideAndReported(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "progress.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"lessons":{`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	var corrupt *CorruptError
	if !errors.As(err, &corrupt) || s == nil {
		t.Fatalf("err = %v, want CorruptError and a usable store", err)
	}
	if _, err := os.Stat(corrupt.Backup); err != nil {
		t.Fatalf("backup missing: %v", err)
	}
	if err := s.Update("a", "b", func(*Lesson, *Step) {}); err != nil {
		t.Fatal(err)
	}
}
