package tools

import (
	"errors"
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"math"
	"path"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/vfs"
)

const errIsDir = syscall.EISDIR

func echo(c *cmd, args []string) int {
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, f := range args[0][1:] {
			switch f {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		var stop bool
		s, stop = printf.Unescape(s, true)
		newline = newline && !stop
	}
	c.out.WriteString(s)
	if newline {
		c.out.WriteByte('\n')
	}
	return 0
}

func trueCmd(*cmd, []string) int  { return 0 }
func falseCmd(*cmd, []string) int { return 1 }

// parseDuration reads sleep's N[smhd], fractions allowed.
func parseDuration(s string) (time.Duration, bool) {
	mult := time.Second
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		s, mult = s[:len(s)-1], time.Minute
	case strings.HasSuffix(s, "h"):
		s, mult = s[:len(s)-1], time.Hour
	case strings.HasSuffix(s, "d"):
		s, mult = s[:len(s)-1], 24*time.Hour
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) || strings.ContainsAny(s, "xXpPeE") && !strings.HasPrefix(s, "inf") {
		return 0, false
	}
	if math.IsInf(f, 1) || f*float64(mult) > float64(math.MaxInt64) {
		return math.MaxInt64, true
	}
	return time.Duration(f * float64(mult)), true
}

func sleepCmd(c *cmd, args []string) int {
	if len(args) == 0 {
		return c.usage()
	}
	var total time.Duration
	for _, a := range args {
		d, ok := parseDuration(a)
		if !ok {
			c.errf("invalid number '%s'", a)
			return 1
		}
		total += d
	}
	t := time.NewTimer(total)
	defer t.Stop()
	select {
	case <-t.C:
		return 0
	case <-c.ctx.Done():
		return 128 + int(syscall.SIGTERM)
	}
}

func yes(c *cmd, args []string) int {
	line := "y\n"
	if len(args) > 0 {
		line = strings.Join(args, " ") + "\n"
	}
	chunk := []byte(strings.Repeat(line, max(1, 8192/len(line))))
	for !c.stopped() {
		if _, err := c.p.Stdout.Write(chunk); err != nil {
			if !errors.Is(err, syscall.EPIPE) {
				c.errf("write error: %s", sandbox.Strerror(err))
			}
			return 1
		}
	}
	return 128 + int(syscall.SIGTERM)
}

func seq(c *cmd, args []string) int {
	sep, width := "\n", false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && (args[0][1] < '0' || args[0][1] > '9') && args[0][1] != '.' {
		switch {
		case args[0] == "-w":
			width = true
		case args[0] == "-s":
			if len(args) < 2 {
				return c.usage()
			}
			sep, args = args[1], args[1:]
		case strings.HasPrefix(args[0], "-s"):
			sep = args[0][2:]
		default:
			c.errf("invalid option -- '%s'", args[0][1:])
			return c.usage()
		}
		args = args[1:]
	}
	nums := make([]float64, len(args))
	prec := 0
	for k, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			c.errf("invalid number '%s'", a)
			return 1
		}
		nums[k] = f
		if i := strings.IndexByte(a, '.'); i >= 0 {
			prec = max(prec, len(a)-i-1)
		}
	}
	first, inc, last := 1.0, 1.0, 0.0
	switch len(nums) {
	case 1:
		last = nums[0]
	case 2:
		first, last = nums[0], nums[1]
	case 3:
		first, inc, last = nums[0], nums[1], nums[2]
	default:
		return c.usage()
	}
	if inc == 0 {
		return 0
	}
	w := 0
	if width {
		w = max(len(strconv.FormatFloat(first, 'f', prec, 64)), len(strconv.FormatFloat(last, 'f', prec, 64)))
	}
	n := 0
	for x := first; inc > 0 && x <= last+1e-9 || inc < 0 && x >= last-1e-9; x = first + float64(n)*inc {
		if n > 0 {
			c.out.WriteString(sep)
		}
		s := strconv.FormatFloat(x, 'f', prec, 64)
		for len(s) < w {
			s = "0" + s
		}
		c.out.WriteString(s)
		if n++; n%1024 == 0 && c.stopped() {
			return 1
		}
	}
	if n > 0 {
		c.out.WriteByte('\n')
	}
	return 0
}

func basename(c *cmd, args []string) int {
	if len(args) == 0 || len(args) > 2 {
		return c.usage()
	}
	s := strings.TrimRight(args[0], "/")
	if s == "" {
		s = "/"
		if args[0] == "" {
			s = ""
		}
	} else {
		s = path.Base(s)
	}
	if len(args) == 2 && s != args[1] {
		s = strings.TrimSuffix(s, args[1])
	}
	fmt.Fprintln(c.out, s)
	return 0
}

func dirname(c *cmd, args []string) int {
	if len(args) != 1 {
		return c.usage()
	}
	fmt.Fprintln(c.out, dirOf(args[0]))
	return 0
}

// dirOf is POSIX dirname.
func dirOf(s string) string {
	t := strings.TrimRight(s, "/")
	if t == "" {
		if s == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	if t = strings.TrimRight(t[:i], "/"); t == "" {
		return "/"
	}
	return t
}

func pwdCmd(c *cmd, args []string) int {
	dir := c.p.Dir
	if v, ok := c.p.FS.(*vfs.View); ok {
		if real, err := v.RealPath(dir); err == nil {
			dir = real
		}
	}
	fmt.Fprintln(c.out, dir)
	return 0
}

func machine() string {
	if runtime.GOARCH == "arm64" {
		return "aarch64"
	}
	return "x86_64"
}

func uname(c *cmd, args []string) int {
	f, _, ok := c.getopt(args, "asnrvmpio", nil, false)
	if !ok {
		return c.usage()
	}
	fields := []struct {
		flag byte
		val  string
	}{
		{'s', "Linux"}, {'n', c.p.Hostname}, {'r', vfs.KernelRelease},
		{'v', "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0"}, {'m', machine()}, {'p', "unknown"}, {'i', "unknown"}, {'o', "GNU/Linux"},
	}
	var out []string
	for _, fl := range fields {
		if f.has(fl.flag) || f.has('a') && fl.flag != 'p' && fl.flag != 'i' {
			out = append(out, fl.val)
		}
	}
	if len(out) == 0 {
		out = []string{"Linux"}
	}
	fmt.Fprintln(c.out, strings.Join(out, " "))
	return 0
}

func hostname(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "sidfF:", nil, false)
	if !ok {
		return c.usage()
	}
	if len(ops) > 0 || f.has('F') {
		c.errf("sethostname: %s", sandbox.Strerror(syscall.EPERM))
		return 1
	}
	name := c.p.Hostname
	switch {
	case f.has('i'):
		if ip := hostsLookup(c, name); ip != "" {
			name = ip
		} else {
			c.errf("%s: Unknown host", name)
			return 1
		}
	case f.has('s'):
		name, _, _ = strings.Cut(name, ".")
	case f.has('d'):
		_, name, _ = strings.Cut(name, ".")
	}
	fmt.Fprintln(c.out, name)
	return 0
}

// hostsLookup finds name's address in the container's /etc/hosts.
func hostsLookup(c *cmd, name string) string {
	b, err := c.readAll("/etc/hosts")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		for _, f := range fields[min(1, len(fields)):] {
			if f == name && !strings.HasPrefix(fields[0], "#") {
				return fields[0]
			}
		}
	}
	return ""
}
