package tools

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// account is a line of the container's /etc/passwd or /etc/group.
type account struct {
	name    string
	id, gid int
	home    string
	members []string
}

// accounts reads /etc/passwd (group false) or /etc/group of the container.
func accounts(c *cmd, group bool) []account {
	file := "/etc/passwd"
	if group {
		file = "/etc/group"
	}
	b, err := c.readAll(file)
	if err != nil {
		return nil
	}
	var out []account
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			continue
		}
		id, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		a := account{name: f[0], id: id}
		if !group && len(f) >= 6 {
			a.gid, _ = strconv.Atoi(f[3])
			a.home = f[5]
		}
		if group && len(f) >= 4 && f[3] != "" {
			a.members = strings.Split(f[3], ",")
		}
		out = append(out, a)
	}
	return out
}

func nameOf(list []account, id int) (string, bool) {
	for _, a := range list {
		if a.id == id {
			return a.name, true
		}
	}
	return "", false
}

func idOf(list []account, name string) (int, bool) {
	for _, a := range list {
		if a.name == name {
			return a.id, true
		}
	}
	if n, err := strconv.Atoi(name); err == nil {
		return n, true
	}
	return 0, false
}

func whoami(c *cmd, args []string) int {
	name, ok := nameOf(accounts(c, false), c.p.UID)
	if !ok {
		c.errf("unknown uid %d", c.p.UID)
		return 1
	}
	fmt.Fprintln(c.out, name)
	return 0
}

func id(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "ugGnr", nil, false)
	if !ok {
		return c.usage()
	}
	users, groups := accounts(c, false), accounts(c, true)
	uid, gid := c.p.UID, c.p.GID
	user, known := nameOf(users, uid)
	if len(ops) > 0 {
		u, ok := idOf(users, ops[0])
		if !ok {
			c.errf("unknown user %s", ops[0])
			return 1
		}
		uid, user, known = u, ops[0], true
		for _, a := range users {
			if a.id == u {
				gid, user = a.gid, a.name
			}
		}
	}
	gids := []int{gid}
	for _, g := range groups {
		if known && slices.Contains(g.members, user) && !slices.Contains(gids, g.id) {
			gids = append(gids, g.id)
		}
	}
	named := func(list []account, n int) string {
		if s, ok := nameOf(list, n); ok {
			return s
		}
		return strconv.Itoa(n)
	}
	switch {
	case f.has('u') && f.has('n'):
		fmt.Fprintln(c.out, named(users, uid))
	case f.has('u'):
		fmt.Fprintln(c.out, uid)
	case f.has('g') && f.has('n'):
		fmt.Fprintln(c.out, named(groups, gid))
	case f.has('g'):
		fmt.Fprintln(c.out, gid)
	case f.has('G'):
		var s []string
		for _, g := range gids {
			if f.has('n') {
				s = append(s, named(groups, g))
			} else {
				s = append(s, strconv.Itoa(g))
			}
		}
		fmt.Fprintln(c.out, strings.Join(s, " "))
	default:
		with := func(list []account, n int) string {
			if s, ok := nameOf(list, n); ok {
				return fmt.Sprintf("%d(%s)", n, s)
			}
			return strconv.Itoa(n)
		}
		var gs []string
		for _, g := range gids {
			gs = append(gs, with(groups, g))
		}
		fmt.Fprintf(c.out, "uid=%s gid=%s groups=%s\n", with(users, uid), with(groups, gid), strings.Join(gs, ","))
	}
	return 0
}

func envCmd(c *cmd, args []string) int {
	f, rest, ok := c.getopt(args, "iu:0", map[string]byte{"ignore-environment": 'i', "unset=": 'u', "null": '0'}, true)
	if !ok {
		return c.usage()
	}
	env := slices.Clone(c.p.Env)
	if f.has('i') {
		env = nil
	}
	if len(rest) > 0 && rest[0] == "-" {
		env, rest = nil, rest[1:]
	}
	for _, u := range f.vals['u'] {
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, u+"=") })
	}
	for len(rest) > 0 && strings.Contains(rest[0], "=") {
		k, _, _ := strings.Cut(rest[0], "=")
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") })
		env = append(env, rest[0])
		rest = rest[1:]
	}
	if len(rest) == 0 {
		end := "\n"
		if f.has('0') {
			end = "\x00"
		}
		for _, kv := range env {
			c.out.WriteString(kv + end)
		}
		return 0
	}
	c.out.Flush()
	return run(c, rest, env)
}

// run starts a command of the container as env, xargs, nohup do: 127
// where it does not exist, 126 where it cannot run.
func run(c *cmd, argv, env []string) int {
	if c.p.Start == nil {
		c.errf("can't execute '%s': %s", argv[0], sandbox.Strerror(syscall.ENOENT))
		return 127
	}
	status, err := c.p.Start(c.ctx, &sandbox.Proc{Args: argv, Env: env, Dir: c.p.Dir,
		Stdin: c.p.Stdin, Stdout: c.p.Stdout, Stderr: c.p.Stderr})
	var ee *sandbox.ExecError
	switch {
	case err == nil:
		return status
	case errors.As(err, &ee) && ee.Err == sandbox.ErrNotFound:
		c.errf("can't execute '%s': %s", argv[0], sandbox.Strerror(syscall.ENOENT))
		return 127
	}
	c.errf("can't execute '%s': %s", argv[0], sandbox.Strerror(err))
	return 126
}

func printenv(c *cmd, args []string) int {
	if len(args) == 0 {
		for _, kv := range c.p.Env {
			fmt.Fprintln(c.out, kv)
		}
		return 0
	}
	status := 0
	for _, k := range args {
		found := false
		for i := len(c.p.Env) - 1; i >= 0; i-- {
			if v, ok := strings.CutPrefix(c.p.Env[i], k+"="); ok {
				fmt.Fprintln(c.out, v)
				found = true
				break
			}
		}
		if !found {
			status = 1
		}
	}
	return status
}

func date(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "uRId:D:s:r:", map[string]byte{"utc": 'u', "rfc-2822": 'R', "date=": 'd', "iso-8601": 'I'}, false)
	if !ok {
		return c.usage()
	}
	now := time.Now().UTC()
	if s, ok := f.val('d'); ok {
		t, err := parseDate(s, now)
		if err != nil {
			c.errf("invalid date '%s'", s)
			return 1
		}
		now = t
	}
	if r, ok := f.val('r'); ok {
		fi, err := c.p.FS.Stat(r)
		if err != nil {
			c.perror(r, err)
			return 1
		}
		now = fi.ModTime().UTC()
	}
	format := "%a %b %e %H:%M:%S %Z %Y"
	switch {
	case f.has('s') || len(ops) > 0 && !strings.HasPrefix(ops[0], "+"):
		c.errf("can't set date: %s", sandbox.Strerror(syscall.EPERM))
		return 1
	case f.has('R'):
		format = "%a, %d %b %Y %H:%M:%S %z"
	case f.has('I'):
		format = "%Y-%m-%d"
	case len(ops) > 0:
		format = ops[0][1:]
	}
	fmt.Fprintln(c.out, strftime(format, now))
	return 0
}

// parseDate reads date -d's forms: @EPOCH, YYYY-MM-DD[ HH:MM[:SS]], HH:MM[:SS].
func parseDate(s string, now time.Time) (time.Time, error) {
	if e, ok := strings.CutPrefix(s, "@"); ok {
		n, err := strconv.ParseInt(e, 10, 64)
		return time.Unix(n, 0).UTC(), err
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05Z", "2006-01-02", "2006.01.02-15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05", "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q", s)
}

// strftime formats t as C's strftime (the fields date users write).
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'k':
			fmt.Fprintf(&b, "%2d", t.Hour())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'n':
			b.WriteByte('\n')
		case 'N':
			fmt.Fprintf(&b, "%09d", t.Nanosecond())
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 't':
			b.WriteByte('\t')
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}
