package container_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
)

// TestTerminalSession types into kubectl exec -it's shell as a learner
// would: the container echoes, prompts, runs each line as it comes, and ^C
// stops the command in the foreground.
func TestTerminalSession(t *testing.T) {
	t.Parallel()
	b := sandboxtest.NewBox(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run(t, b, ctx, "sleep", "3600")
	keys, typing := io.Pipe()
	screen := &sandboxtest.Buffer{}
	done := make(chan int, 1)
	go func() {
		s, err := b.Exec(context.Background(), []string{"sh"}, keys, screen, nil, true)
		if err != nil {
			t.Errorf("exec: %v", err)
		}
		done <- s
	}()
	waitFor(t, "the prompt", func() bool { return screen.String() == "/ # " })
	io.WriteString(typing, "cd /etc; echo hi x\x7f\r")
	waitFor(t, "the output", func() bool { return strings.HasSuffix(screen.String(), "/etc # ") })
	io.WriteString(typing, "sleep 3600\r")
	waitFor(t, "sleep", func() bool { return len(b.Processes().List()) == 3 })
	io.WriteString(typing, "\x03")
	waitFor(t, "the prompt after ^C", func() bool { return strings.HasSuffix(screen.String(), "^C\r\n/etc # ") })
	io.WriteString(typing, "exit 3\r")
	if s := status(t, done); s != 3 {
		t.Errorf("status %d, want 3", s)
	}
	want := "/ # cd /etc; echo hi x\b \b\r\nhi\r\n/etc # sleep 3600\r\n^C\r\n/etc # exit 3\r\n"
	if screen.String() != want {
		t.Errorf("screen\n%q\nwant\n%q", screen.String(), want)
	}
}
