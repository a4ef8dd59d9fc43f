package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Started through a link named wget, cat, ls or touch (as kubectl exec in
// the image does), the built program does what the lesson texts show.
func TestToolsRunByTheirNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "hello from %s", r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	run := func(name string, args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		cmd := exec.Command(binary(t, name), args...)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	if out, errOut, code := run("wget", "-qO-", srv.URL+"/api"); code != 0 || out != "hello from /api" {
		t.Errorf("wget -qO-: %q %q exit %d", out, errOut, code)
	}
	if out, _, code := run("wget", "-q", "-O", "-", strings.TrimPrefix(srv.URL, "http://")+"/x"); code != 0 || out != "hello from /x" {
		t.Errorf("wget -q -O - HOST/x: %q exit %d", out, code)
	}
	if _, errOut, code := run("wget", "-qO-", srv.URL+"/missing"); code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("wget of a missing page: %q exit %d, want 404 and exit 1", errOut, code)
	}
	file := filepath.Join(dir, "data", "hello")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run("touch", file); code != 0 {
		t.Fatalf("touch: %q exit %d", errOut, code)
	}
	if out, _, code := run("ls", filepath.Dir(file)); code != 0 || out != "hello\n" {
		t.Errorf("ls: %q exit %d", out, code)
	}
	if err := os.WriteFile(file, []byte("s3cr3t"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, code := run("cat", file); code != 0 || out != "s3cr3t" {
		t.Errorf("cat: %q exit %d", out, code)
	}
	if _, errOut, code := run("cat", file+"-none"); code != 1 || !strings.Contains(errOut, "no such file") {
		t.Errorf("cat of a missing file: %q exit %d", errOut, code)
	}
}
