package sandbox_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestLinkedProgramCannotStartAProcess builds a program that links all of
// the sandbox (file tree, container, shell, every tool) and lists what the
// linker kept: no function that starts a host process (os/exec,
// os.StartProcess, syscall.ForkExec or Exec) may be in it. The interpreter
// this sandbox forks from mvdan.cc/sh imports os/exec; the fork does not,
// and nothing else reaches it.
func TestLinkedProgramCannotStartAProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program (a few seconds)")
	}
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(t.TempDir(), "linkcheck")
	build := exec.Command(gotool, "build", "-o", bin, "./testdata/linkcheck")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/linkcheck: %v\n%s", err, out)
	}
	nm, err := exec.Command(gotool, "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	forbidden := []string{"os/exec.", "os.StartProcess", "os.startProcess", "syscall.forkExec", "syscall.StartProcess",
		"syscall.Exec", "syscall.ForkExec", "plugin.Open"}
	kept := 0
	s := bufio.NewScanner(bytes.NewReader(nm))
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 3 {
			continue
		}
		kept++
		sym := fields[len(fields)-1]
		for _, f := range forbidden {
			if strings.HasPrefix(sym, f) {
				t.Errorf("the sandbox links %s, which can start a host process", sym)
			}
		}
	}
	if kept < 1000 {
		t.Fatalf("go tool nm listed %d symbols: not a real program", kept)
	}
}

// hostAPIs are the functions and variables of the standard library that
// reach the host (its files, processes, environment, users, network,
// time zones, certificates) by package; allowed lists the few names of
// those packages the sandbox may use (types, constants, errors). A file
// the allowlist names may use one more: os.OpenRoot in the volume, the
// only door to a host directory.
var hostAPIs = map[string]struct {
	allowed map[string]bool
	files   map[string]string
}{
	"os": {allowed: setOf("O_RDONLY O_WRONLY O_RDWR O_CREATE O_EXCL O_TRUNC O_APPEND O_SYNC FileMode FileInfo " +
		"PathError LinkError SyscallError ErrNotExist ErrExist ErrPermission ErrClosed ErrDeadlineExceeded " +
		"ErrInvalid ModeDir ModeSymlink ModeNamedPipe ModeSocket ModeDevice ModeCharDevice ModeSetuid " +
		"ModeSetgid ModeSticky ModePerm DirEntry Root File SameFile"),
		files: map[string]string{"vfs/volume.go": "OpenRoot"}},
	"syscall": {allowed: setOf("Errno Signal Stat_t")},
	"net": {allowed: setOf("Conn Listener Addr TCPAddr IP ParseIP SplitHostPort JoinHostPort OpError DNSError " +
		"ErrClosed IPv4zero")},
	"net/http":    {allowed: setOf("Transport Client Request Response NewRequestWithContext Header")},
	"time":        {allowed: nil},
	"crypto/x509": {allowed: setOf("")},
}

// hostFuncs of packages otherwise allowed.
var hostFuncs = map[string]map[string]bool{
	"time": setOf("LoadLocation LoadLocationFromTZData Local"),
}

var forbiddenImports = setOf("os/exec os/user os/signal plugin io/ioutil unsafe runtime/cgo")

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// TestSourceReachesNoHostAPI reads every Go file of the sandbox (the
// interpreter's fork included; tests and test helpers excluded) and fails
// on any use of the standard library's doors to the host: a program of a
// container reaches files, processes, names and sockets only through its
// sandbox.Proc.
func TestSourceReachesNoHostAPI(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "sandboxtest" || d.Name() == "inmem") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		checkFile(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 40 {
		t.Fatalf("read %d files: the walk missed the sandbox", files)
	}
}

// violations lists the uses of host APIs in a Go file.
func violations(path, rel string) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	names := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if forbiddenImports[p] {
			out = append(out, rel+" imports "+p)
		}
		local := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		names[local] = p
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
		pkg, name := names[id.Name], sel.Sel.Name
		bad := hostFuncs[pkg][name]
		if rule, checked := hostAPIs[pkg]; checked && rule.allowed != nil {
			ok := rule.allowed[name] || pkg == "syscall" && (strings.HasPrefix(name, "E") || strings.HasPrefix(name, "SIG")) ||
				rule.files[rel] == name
			bad = bad || !ok
		}
		if bad {
			out = append(out, fmt.Sprintf("%s: %s.%s reaches the host", fset.Position(sel.Pos()), pkg, name))
		}
		return true
	})
	return out, nil
}

func checkFile(t *testing.T, path string) {
	v, err := violations(path, filepath.ToSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range v {
		t.Error(msg)
	}
}

// TestGuardCatchesHostAPIs proves the source check fails where it should.
func TestGuardCatchesHostAPIs(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.go")
	src := "package bad\nimport (\"os\"; \"os/exec\"; \"net\"; \"time\")\n" +
		"func f() { os.ReadFile(\"/etc/passwd\"); net.Dial(\"tcp\", \"x\"); time.LoadLocation(\"UTC\"); exec.Command(\"id\") }\n"
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := violations(bad, "bad.go")
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 4 {
		t.Fatalf("the rules caught %q in a file importing os/exec and using os.ReadFile, net.Dial, time.LoadLocation", v)
	}
}
