// Package printf is printf's formatting and the backslash escapes of echo
// -e, tr and sed, shared by the shell's builtin printf and the printf,
// echo, tr, sed and awk programs of lab/sandbox/tools.
package printf
