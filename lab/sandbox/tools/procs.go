package tools

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/internal/interp"
)

func cpuTime(d time.Duration) string {
	m := int(d.Minutes())
	return fmt.Sprintf("%d:%02d", m, int(d.Seconds())%60)
}

func ps(c *cmd, args []string) int {
	f, _, ok := c.getopt(args, "o:Tefwlax", nil, false)
	if !ok {
		return c.usage()
	}
	if c.p.Processes == nil {
		fmt.Fprintln(c.out, "PID   USER     TIME  COMMAND")
		return 0
	}
	users := accounts(c, false)
	user := func(uid int) string {
		if s, ok := nameOf(users, uid); ok {
			return s
		}
		return strconv.Itoa(uid)
	}
	procs := c.p.Processes.List()
	if cols, ok := f.val('o'); ok {
		fields := strings.Split(cols, ",")
		heads := map[string]string{"pid": "PID", "ppid": "PPID", "user": "USER", "args": "COMMAND",
			"comm": "COMMAND", "time": "TIME", "etime": "ELAPSED", "rss": "RSS", "vsz": "VSZ", "uid": "UID", "stat": "STAT"}
		var line []string
		for _, fl := range fields {
			line = append(line, fmt.Sprintf("%-8s", heads[fl]))
		}
		fmt.Fprintln(c.out, strings.TrimRight(strings.Join(line, " "), " "))
		for _, p := range procs {
			line = line[:0]
			for _, fl := range fields {
				v := ""
				switch fl {
				case "pid":
					v = strconv.Itoa(p.PID)
				case "ppid":
					v = strconv.Itoa(p.PPID)
				case "user":
					v = user(p.UID)
				case "uid":
					v = strconv.Itoa(p.UID)
				case "args":
					v = strings.Join(p.Args, " ")
				case "comm":
					v = commOf(p)
				case "time":
					v = cpuTime(p.CPU)
				case "etime":
					v = cpuTime(time.Since(p.Start))
				case "rss", "vsz":
					v = strconv.FormatInt(p.RSS/1024, 10)
				case "stat":
					v = string(rune(p.State))
				}
				line = append(line, fmt.Sprintf("%-8s", v))
			}
			fmt.Fprintln(c.out, strings.TrimRight(strings.Join(line, " "), " "))
		}
		return 0
	}
	fmt.Fprintln(c.out, "PID   USER     TIME  COMMAND")
	for _, p := range procs {
		fmt.Fprintf(c.out, "%5d %-8s %5s %s\n", p.PID, user(p.UID), cpuTime(p.CPU), strings.Join(p.Args, " "))
	}
	return 0
}

func commOf(p sandbox.ProcessInfo) string {
	if len(p.Args) == 0 {
		return ""
	}
	n := p.Args[0]
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	return n
}

func kill(c *cmd, args []string) int {
	sig := syscall.SIGTERM
	if len(args) > 0 && (args[0] == "-l" || args[0] == "-L") {
		if len(args) > 1 {
			if name, _, ok := interp.SignalName(args[1]); ok {
				fmt.Fprintln(c.out, name)
				return 0
			}
			c.errf("bad signal name '%s'", args[1])
			return 1
		}
		for n := 1; n <= 31; n++ {
			if name, _, ok := interp.SignalName(strconv.Itoa(n)); ok {
				fmt.Fprintf(c.out, "%2d) %s\n", n, name)
			}
		}
		return 0
	}
	if len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 && args[0] != "--" {
		spec := args[0][1:]
		if spec == "s" || spec == "n" {
			if len(args) < 2 {
				return c.usage()
			}
			spec, args = args[1], args[1:]
		}
		_, n, ok := interp.SignalName(spec)
		if !ok && spec != "0" {
			c.errf("bad signal name '%s'", spec)
			return 1
		}
		sig, args = n, args[1:]
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		c.errf("you need to specify whom to kill")
		return 1
	}
	status := 0
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil {
			c.errf("invalid number '%s'", a)
			status = 1
			continue
		}
		err = syscall.ESRCH
		if c.p.Processes != nil {
			err = c.p.Processes.Signal(pid, sig)
		}
		if err != nil {
			c.errf("can't kill pid %d: %s", pid, sandbox.Strerror(err))
			status = 1
		}
	}
	return status
}

// memory is what free and top show: the container's limit (or a node's
// memory) and what its programs hold.
func memory(c *cmd) (total, used int64) {
	b, err := c.readAll("/proc/meminfo")
	total = 4 << 30
	if err == nil {
		var free int64
		for _, line := range strings.Split(string(b), "\n") {
			var n int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &n); err == nil {
				total = n * 1024
			}
			if _, err := fmt.Sscanf(line, "MemFree: %d kB", &n); err == nil {
				free = n * 1024
			}
		}
		used = total - free
	}
	return total, used
}

func free(c *cmd, args []string) int {
	f, _, ok := c.getopt(args, "bkmgh", nil, false)
	if !ok {
		return c.usage()
	}
	total, used := memory(c)
	unit := int64(1024)
	switch {
	case f.has('b'):
		unit = 1
	case f.has('m'):
		unit = 1 << 20
	case f.has('g'):
		unit = 1 << 30
	}
	n := func(v int64) string {
		if f.has('h') {
			return human(v)
		}
		return strconv.FormatInt(v/unit, 10)
	}
	fmt.Fprintf(c.out, "%19s%12s%12s%12s%12s%12s\n", "total", "used", "free", "shared", "buff/cache", "available")
	fmt.Fprintf(c.out, "Mem:%11s%12s%12s%12s%12s%12s\n", n(total), n(used), n(total-used), n(0), n(0), n(total-used))
	fmt.Fprintf(c.out, "Swap:%10s%12s%12s\n", n(0), n(0), n(0))
	return 0
}

// top shows one screen of the container's processes (-b batch, -n count).
func top(c *cmd, args []string) int {
	f, _, ok := c.getopt(args, "bn:d:m", nil, false)
	if !ok {
		return c.usage()
	}
	screens := 1
	if v, ok := f.val('n'); ok {
		screens, _ = strconv.Atoi(v)
	}
	delay := 5 * time.Second
	if v, ok := f.val('d'); ok {
		if d, ok := parseDuration(v); ok {
			delay = d
		}
	}
	if !f.has('n') && !f.has('b') {
		screens = 1 // no terminal to refresh: one screen, as top -b -n 1
	}
	users := accounts(c, false)
	for k := 0; k < screens; k++ {
		if k > 0 {
			select {
			case <-c.ctx.Done():
				return 0
			case <-time.After(delay):
			}
		}
		total, used := memory(c)
		fmt.Fprintf(c.out, "Mem: %dK used, %dK free, 0K shrd, 0K buff, 0K cached\n", used/1024, (total-used)/1024)
		fmt.Fprintln(c.out, "CPU:   0% usr   0% sys   0% nic 100% idle   0% io   0% irq   0% sirq")
		var procs []sandbox.ProcessInfo
		if c.p.Processes != nil {
			procs = c.p.Processes.List()
		}
		last := 0
		for _, p := range procs {
			last = max(last, p.PID)
		}
		fmt.Fprintf(c.out, "Load average: 0.00 0.00 0.00 1/%d %d\n", len(procs), last)
		fmt.Fprintln(c.out, "  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND")
		sort.SliceStable(procs, func(i, j int) bool { return procs[i].CPU > procs[j].CPU })
		for _, p := range procs {
			name, ok := nameOf(users, p.UID)
			if !ok {
				name = strconv.Itoa(p.UID)
			}
			vsz := p.RSS / 1024
			fmt.Fprintf(c.out, "%5d %5d %-8s %-4c %5d %3d%% %3d%% %s\n", p.PID, p.PPID, name, p.State,
				vsz, vsz*1024*100/max(1, total), 0, strings.Join(p.Args, " "))
		}
		c.out.Flush()
	}
	return 0
}
