// Package wrap breaks text into lines of at most a given width, as the TUI's
// screens and components show it.
package wrap
