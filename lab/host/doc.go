// Package host is the kubelab application behind every front end: it picks
// and remembers the cluster backend, owns the provider, the clients, the
// lessons and the learner's progress, and hands out engine sessions that run
// lesson commands with kubelab's own kubectl on the lab kubeconfig. It also
// gives the learner's shell a kubectl that matches the lab, a prompt that
// names the lesson and kubectl's completion, and falls back to the embedded
// cluster when a kind it chose cannot get its node image (fallback.go).
//
// cmd/kubelab parses flags and calls it; the TUI drives it through tui.Lab;
// tests build it the same way (see hosttest):
//
//	h, err := host.New(ctx, host.Config{})
//	defer h.Close(ctx)
//	err = h.Up(ctx, phase)
//	s, err := h.Open(lesson)
//
// A host never prints: what the learner should know comes back as errors,
// notices and Config.Warn.
package host
