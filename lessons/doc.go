// Package lessons will hold kubelab's built-in lessons as declarative files,
// embedded into the binary. The lesson format and engine arrive with their
// own issue; this package stays stdlib-only.
package lessons
