package programs

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostCalls are the standard library's ways to the host's files, network,
// environment and processes: a program of a container uses its Proc.
var hostCalls = map[string][]string{
	"os":       {"Open", "OpenFile", "ReadFile", "WriteFile", "Create", "Mkdir", "MkdirAll", "Remove", "RemoveAll", "Rename", "ReadDir", "Stat", "Lstat", "Getenv", "LookupEnv", "Environ", "Hostname", "Getwd", "Chdir", "Exit", "Getuid", "StartProcess", "Symlink", "Readlink", "Chtimes", "Chmod", "Chown"},
	"net":      {"Dial", "DialTimeout", "Listen", "ListenPacket", "LookupHost", "LookupIP", "InterfaceAddrs", "Interfaces"},
	"os/exec":  {"Command", "CommandContext", "LookPath"},
	"syscall":  {"Kill", "Exec", "ForkExec", "Open", "Getpid"},
	"net/http": {"Get", "Post", "Head", "ListenAndServe", "DefaultClient", "DefaultTransport"},
}

// HostFree fails t for every call of a package in dir (its non-test
// files) that reaches the host instead of the Proc.
func hostFree(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		fset := gotoken.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{} // local name -> import path
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			name := filepath.Base(p)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = p
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			for _, bad := range hostCalls[names[id.Name]] {
				if sel.Sel.Name == bad {
					t.Errorf("%s: %s.%s reaches the host; use the Proc", fset.Position(sel.Pos()), names[id.Name], bad)
				}
			}
			return true
		})
	}
}

// The programs of images reach nothing of the host: every file, socket,
// name and variable goes through their Proc.
func TestProgramsDoNotTouchTheHost(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	hostFree(t, wd)
	hostFree(t, filepath.Join(wd, "..", "..", "app"))
}
