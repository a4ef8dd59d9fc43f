// Package confirm is the TUI's one dialog: a question and its options, each
// picked by its keys (k9s' internal/ui/dialog is the model). The answer comes
// back as a ChosenMsg, so the screen that asked never polls the dialog.
package confirm
