package tools

import (
	"errors"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"
)

func chmodCmd(c *cmd, args []string) int {
	// -x, -w are modes here, not options: read the options by hand.
	recursive := false
	var ops []string
	for k, a := range args {
		switch {
		case a == "--":
			ops = append(ops, args[k+1:]...)
		case a == "-R" || a == "--recursive":
			recursive = true
		case a == "-v" || a == "-c" || a == "-f":
		case len(ops) == 0 && strings.HasPrefix(a, "-") && strings.Trim(a[1:], "rwxXst") != "":
			c.errf("invalid option -- '%c'", a[1])
			return c.usage()
		default:
			ops = append(ops, a)
			continue
		}
		if a == "--" {
			break
		}
	}
	if len(ops) < 2 {
		return c.usage()
	}
	f := flags{set: map[byte]bool{'R': recursive}}
	spec, names := ops[0], ops[1:]
	status := 0
	var walk func(name string) error
	walk = func(name string) error {
		fi, err := c.p.FS.Stat(name)
		if err != nil {
			c.perror(name, err)
			return err
		}
		mode, err := parseMode(spec, fi.Mode()&(fs.ModePerm|fs.ModeSticky|fs.ModeSetuid|fs.ModeSetgid), fi.Mode())
		if err != nil {
			c.errf("invalid mode '%s'", spec)
			return err
		}
		if err := chmodFS(c, name, mode); err != nil {
			c.perror(name, err)
			return err
		}
		if f.has('R') && fi.IsDir() {
			des, _ := c.p.FS.ReadDir(name)
			for _, de := range des {
				if de.Type()&fs.ModeSymlink == 0 {
					walk(path.Join(name, de.Name()))
				}
			}
		}
		return nil
	}
	for _, n := range names {
		if walk(n) != nil {
			status = 1
		}
	}
	return status
}

// attrFS is what chmod and chown need of the container's file tree.
type attrFS interface {
	Chmod(name string, mode fs.FileMode) error
	Chown(name string, uid, gid int) error
}

func chmodFS(c *cmd, name string, mode fs.FileMode) error {
	a, ok := c.p.FS.(attrFS)
	if !ok {
		return &fs.PathError{Op: "chmod", Path: name, Err: syscall.ENOTSUP}
	}
	return a.Chmod(name, mode)
}

// parseMode reads an octal mode or symbolic clauses (u+x,go-w,a=r) that
// change old; X gives x where typ is a directory or has x already.
func parseMode(spec string, old, typ fs.FileMode) (fs.FileMode, error) {
	if n, err := strconv.ParseUint(spec, 8, 32); err == nil {
		m := fs.FileMode(n & 0o777)
		if n&0o4000 != 0 {
			m |= fs.ModeSetuid
		}
		if n&0o2000 != 0 {
			m |= fs.ModeSetgid
		}
		if n&0o1000 != 0 {
			m |= fs.ModeSticky
		}
		return m, nil
	}
	m := old
	for _, clause := range strings.Split(spec, ",") {
		i := 0
		var who fs.FileMode
		for i < len(clause) && strings.IndexByte("ugoa", clause[i]) >= 0 {
			who |= map[byte]fs.FileMode{'u': 0o700, 'g': 0o070, 'o': 0o007, 'a': 0o777}[clause[i]]
			i++
		}
		if who == 0 {
			who = 0o777 &^ 0o022
		}
		if i == len(clause) {
			return 0, errors.New("bad mode")
		}
		for i < len(clause) {
			op := clause[i]
			if strings.IndexByte("+-=", op) < 0 {
				return 0, errors.New("bad mode")
			}
			i++
			var bits, special fs.FileMode
			for i < len(clause) && strings.IndexByte("rwxXst", clause[i]) >= 0 {
				switch clause[i] {
				case 'r':
					bits |= 0o444
				case 'w':
					bits |= 0o222
				case 'x':
					bits |= 0o111
				case 'X':
					if typ.IsDir() || old&0o111 != 0 {
						bits |= 0o111
					}
				case 's':
					special |= fs.ModeSetuid | fs.ModeSetgid
				case 't':
					special |= fs.ModeSticky
				}
				i++
			}
			bits &= who
			switch op {
			case '+':
				m |= bits | special
			case '-':
				m &^= bits | special
			case '=':
				m = m&^who | bits | special
			}
		}
	}
	return m, nil
}

func chown(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "RhfvcLHP", map[string]byte{"recursive": 'R'}, false)
	if !ok || len(ops) < 2 {
		return c.usage()
	}
	owner, names := ops[0], ops[1:]
	uid, gid := -1, -1
	u, g, hasGroup := strings.Cut(owner, ":")
	if !hasGroup {
		u, g, hasGroup = strings.Cut(owner, ".")
	}
	if c.name == "chgrp" {
		u, g, hasGroup = "", owner, true
	}
	if u != "" {
		n, ok := idOf(accounts(c, false), u)
		if !ok {
			c.errf("unknown user %s", u)
			return 1
		}
		uid = n
	}
	if hasGroup && g != "" {
		n, ok := idOf(accounts(c, true), g)
		if !ok {
			c.errf("unknown group %s", g)
			return 1
		}
		gid = n
	}
	a, _ := c.p.FS.(attrFS)
	status := 0
	var walk func(string)
	walk = func(name string) {
		var err error
		if a == nil {
			err = syscall.ENOTSUP
		} else {
			err = a.Chown(name, uid, gid)
		}
		if err != nil {
			c.perror(name, err)
			status = 1
			return
		}
		if fi, err := c.p.FS.Lstat(name); err == nil && fi.IsDir() && f.has('R') {
			des, _ := c.p.FS.ReadDir(name)
			for _, de := range des {
				walk(path.Join(name, de.Name()))
			}
		}
	}
	for _, n := range names {
		walk(n)
	}
	return status
}
