package engine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/engine"
)

// Close ends Events, so a front end's listener returns instead of waiting
// for ever; a closed session refuses to start again.
func TestCloseEndsEventsAndTheSessionStaysClosed(t *testing.T) {
	t.Parallel()
	s := engine.Open(testConfig(t), builtin(t, "pods"))
	t.Cleanup(func() { _ = s.Cleanup(context.Background()) })
	ctx := context.Background()
	if err := s.Start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	waitAll(t, s, false)
	ended := make(chan struct{})
	go func() {
		for range s.Events() { // what the TUI's listener does
		}
		close(ended)
	}()
	s.Close()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("Events was not closed by Close")
	}
	s.Close() // twice is harmless
	if err := s.Start(ctx, 0); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("Start after Close = %v, want ErrClosed", err)
	}
}
