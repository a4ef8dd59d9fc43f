package vfs

import (
	"io/fs"
	"slices"
)

// Cred is who a process is: what the tree's permission checks use.
type Cred struct {
	UID, GID int
	// Groups are supplementary groups.
	Groups []int
	// Umask clears bits of the modes of the files the process creates
	// (0o022 in a container).
	Umask fs.FileMode
}

func (c Cred) inGroup(gid int) bool {
	return c.GID == gid || slices.Contains(c.Groups, gid)
}

// Access bits, as access(2)'s.
const (
	accR = 4
	accW = 2
	accX = 1
)

// can reports whether c may access a file of i in the ways want asks (a
// mask of accR, accW, accX). Root may do all, except execute a file that no
// one may execute.
func (c Cred) can(i *info, want int) bool {
	if c.UID == 0 {
		if want&accX != 0 && !i.IsDir() && i.mode&0o111 == 0 {
			return false
		}
		return true
	}
	perm := int(i.mode.Perm())
	switch {
	case i.stat.UID == c.UID:
		perm >>= 6
	case c.inGroup(i.stat.GID):
		perm >>= 3
	}
	return perm&want == want
}

// owns reports whether c may change i's mode or times as its owner.
func (c Cred) owns(i *info) bool { return c.UID == 0 || i.stat.UID == c.UID }

// mayDelete reports whether c may remove or rename entry i of directory
// dir: write and search on dir, and with dir's sticky bit, owning i or dir.
func (c Cred) mayDelete(dir, i *info) bool {
	if !c.can(dir, accW|accX) {
		return false
	}
	if dir.mode&fs.ModeSticky != 0 && c.UID != 0 {
		return i.stat.UID == c.UID || dir.stat.UID == c.UID
	}
	return true
}
