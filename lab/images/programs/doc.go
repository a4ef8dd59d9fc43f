// Package programs holds the programs and files of the common public
// images the embedded cluster runs (nginx, httpd, redis) as
// sandbox.Programs, with each image's config as data: user, entrypoint,
// command, ports, stop signal (Lookup), its file tree (Files) and its
// executables (Program). They behave as the real images do where lessons
// look: the same ports, paths, users, log lines and exit statuses, and the
// same failures (a port taken, a user that may not write what the server
// needs). Nothing here touches the host: every file, socket and name goes
// through the Proc.
package programs
