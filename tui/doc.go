// Package tui will hold kubelab's full-screen terminal interface (Bubble Tea).
// It talks to the lab through lab/engine only, never to client-go or kind.
package tui
