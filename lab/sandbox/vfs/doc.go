// Package vfs is a container's confined file tree: the image's read-only
// layers under a writable layer kept in memory (copy-up on write, whiteouts
// for removals), and mounts at paths (volumes on a host directory opened
// with os.OpenRoot, or in memory; /proc, /dev and /sys made up from the
// container, never the host's).
//
// Every name a process uses is resolved here, component by component, from
// the container's "/": "..", symbolic links (absolute targets included) and
// mounts never lead outside the tree, and a volume on disk is only reached
// through os.Root methods, so that neither a symlink nor a race can leave
// its directory. Owner and mode bits are enforced for non-root users, a
// read-only mount refuses writes with EROFS, and every writable place has a
// size limit (ENOSPC).
package vfs
