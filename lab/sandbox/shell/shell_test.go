package shell_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/container"
	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
	"github.com/kubelab/kubelab/lab/sandbox/shell"
)

func withBash(c *container.Config) { c.Programs["/bin/bash"] = shell.Bash() }

// exec runs argv with stdin in a busybox container that runs sleep.
func exec(t *testing.T, stdin string, argv ...string) (string, int) {
	t.Helper()
	b := sandboxtest.NewBox(t, withBash)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.Run(ctx, []string{"sleep", "3600"})
	deadline := time.Now().Add(30 * time.Second)
	for len(b.Processes().List()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("sleep did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	out := &sandboxtest.Buffer{}
	status, err := b.Exec(context.Background(), argv, strings.NewReader(stdin), out, out, false)
	if err != nil {
		t.Fatalf("exec %q: %v", argv, err)
	}
	return out.String(), status
}

func TestInvocations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stdin string
		argv        []string
		out         string
		status      int
	}{
		{"-c with $0 and args", "", []string{"sh", "-c", `echo $0 $1 $#`, "name", "a", "b"}, "name a 2\n", 0},
		{"a script from stdin", "echo from stdin $0\nexit 4\n", []string{"sh"}, "from stdin sh\n", 4},
		{"-s with args", "echo $1\n", []string{"sh", "-s", "x"}, "x\n", 0},
		{"a script file", "", []string{"sh", "-c", `printf 'echo "script $1"\nexit 5\n' > /tmp/s.sh; sh /tmp/s.sh arg`}, "script arg\n", 5},
		{"a missing script", "", []string{"sh", "/nope.sh"}, "sh: can't open '/nope.sh': No such file or directory\n", 2},
		{"-e", "", []string{"sh", "-ec", `echo a; false; echo b`}, "a\n", 1},
		{"-x", "", []string{"sh", "-xc", `x=$((1+2)); echo $x`}, "+ x=3\n+ echo 3\n3\n", 0},
		{"-c without a command", "", []string{"sh", "-c"}, "sh: -c requires an argument\n", 2},
		{"a bad option", "", []string{"sh", "-Q"}, "sh: -Q: invalid option\n", 2},
		{"an EXIT trap", "", []string{"sh", "-c", `trap 'echo cleanup' EXIT; echo work`}, "work\ncleanup\n", 0},
		{"read from stdin", "line one\n", []string{"sh", "-c", `read a b; echo "[$b] [$a]"`}, "[one] [line]\n", 0},
		{"a script error line", "", []string{"sh", "-c", "printf 'true\\nnosuch\\n' > /s; sh /s"}, "/s: line 2: nosuch: not found\n", 127},
		{"bash's messages", "", []string{"bash", "-c", `nosuch; cd /nope; echo $?`}, "bash: line 1: nosuch: command not found\nbash: line 1: cd: /nope: No such file or directory\n1\n", 0},
		{"unset parameter", "", []string{"sh", "-c", `echo ${x:?is unset}; echo never`}, "sh: x: is unset\n", 2},
		{"[[ ]] as busybox's ash has it", "", []string{"sh", "-c", `[[ abc == a* ]] && echo yes; s=hello; echo ${s/l/L} ${s:1:3}`}, "yes\nheLlo ell\n", 0},
		{"HOME and cd", "", []string{"sh", "-c", `cd; pwd; echo $HOME`}, "/root\n/root\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, status := exec(t, tt.stdin, tt.argv...)
			if out != tt.out || status != tt.status {
				t.Errorf("%q: got %q %d, want %q %d", tt.argv, out, status, tt.out, tt.status)
			}
		})
	}
}
