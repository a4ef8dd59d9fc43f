// Package goals is the TUI's one view of live goals: each goal passing or
// failing, with what it wants and what the cluster has now. The lesson screen
// and the quiz's hands-on tasks both show it.
package goals
