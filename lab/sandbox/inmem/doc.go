// Package inmem runs sandbox.Programs in-process for tests: an
// in-memory file tree with Unix owners and permissions (MemFS), an
// in-memory network of several pods by IP with Services and names
// (MemNet), a memory and CPU meter with a limit (Meter), and a Proc built
// from them (NewProc). Nothing here touches the host's files or network.
package inmem
