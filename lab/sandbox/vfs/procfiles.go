package vfs

import (
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// staticProc are the files at /proc's top, made from the Kernel.
var staticProc = map[string]func(*procFS, KernelInfo) []byte{
	"meminfo": func(_ *procFS, ki KernelInfo) []byte {
		total := ki.MemTotal / 1024
		free := max(0, (ki.MemTotal-ki.MemUsed)/1024)
		return fmt.Appendf(nil, "MemTotal:       %8d kB\nMemFree:        %8d kB\nMemAvailable:   %8d kB\n"+
			"Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"+
			"Shmem:                 0 kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n", total, free, free)
	},
	"cpuinfo": func(_ *procFS, ki KernelInfo) []byte {
		var b strings.Builder
		for k := range max(1, ki.CPUs) {
			fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: GenuineIntel\nmodel name\t: kubelab virtual CPU\n"+
				"cpu MHz\t\t: 2400.000\ncpu cores\t: %d\n\n", k, max(1, ki.CPUs))
		}
		return []byte(b.String())
	},
	"uptime": func(_ *procFS, ki KernelInfo) []byte {
		up := time.Since(ki.Boot).Seconds()
		return fmt.Appendf(nil, "%.2f %.2f\n", up, up*float64(max(1, ki.CPUs)))
	},
	"loadavg": func(p *procFS, _ KernelInfo) []byte {
		procs := p.t.kernel.Procs()
		last := 0
		for _, pi := range procs {
			last = max(last, pi.PID)
		}
		return fmt.Appendf(nil, "0.00 0.00 0.00 1/%d %d\n", len(procs), last)
	},
	"version": func(*procFS, KernelInfo) []byte {
		return []byte("Linux version " + KernelRelease + " (kubelab) #1 SMP PREEMPT_DYNAMIC\n")
	},
	"filesystems": func(*procFS, KernelInfo) []byte {
		return []byte("nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\toverlay\n\text4\n")
	},
	"cmdline": func(*procFS, KernelInfo) []byte { return []byte("BOOT_IMAGE=/boot/vmlinuz ro quiet\n") },
	"stat": func(p *procFS, ki KernelInfo) []byte {
		var cpu time.Duration
		for _, pi := range p.t.kernel.Procs() {
			cpu += pi.CPU
		}
		ticks := cpu.Milliseconds() / 10
		idle := max(0, int64(time.Since(ki.Boot).Seconds()*100)*int64(max(1, ki.CPUs))-ticks)
		return fmt.Appendf(nil, "cpu  %d 0 0 %d 0 0 0 0 0 0\nbtime %d\nprocesses %d\n",
			ticks, idle, ki.Boot.Unix(), len(p.t.kernel.Procs()))
	},
}

func procStatus(pi ProcInfo) []byte {
	state := map[byte]string{'R': "R (running)", 'S': "S (sleeping)", 'Z': "Z (zombie)"}[pi.State]
	if state == "" {
		state = "S (sleeping)"
	}
	return fmt.Appendf(nil, "Name:\t%s\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"+
		"Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\nVmRSS:\t%8d kB\nThreads:\t1\n",
		comm(pi), state, pi.PID, pi.PID, pi.PPID,
		pi.UID, pi.UID, pi.UID, pi.UID, pi.GID, pi.GID, pi.GID, pi.GID, pi.RSS/1024)
}

func procStat(pi ProcInfo, ki KernelInfo) []byte {
	state := pi.State
	if state == 0 {
		state = 'S'
	}
	ticks := pi.CPU.Milliseconds() / 10
	start := pi.Start.Sub(ki.Boot).Milliseconds() / 10
	return fmt.Appendf(nil, "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 %d 0 0 0 20 0 1 0 %d %d %d\n",
		pi.PID, comm(pi), state, pi.PPID, pi.PID, pi.PID, ticks, start, pi.RSS, pi.RSS/4096)
}

// newSysFS makes /sys: the cgroup files a program reads to learn its
// limits.
func newSysFS(k Kernel) *memTree {
	t := newMemTree(&quota{}, nextDev(), 0o555)
	ki := k.Info()
	mem := "max"
	if ki.MemLimit > 0 {
		mem = fmt.Sprint(ki.MemLimit)
	}
	cpu := "max 100000"
	if ki.CPULimit > 0 {
		cpu = fmt.Sprintf("%d 100000", int64(ki.CPULimit*100000))
	}
	files := map[string]string{
		"fs/cgroup/memory.max":         mem + "\n",
		"fs/cgroup/cpu.max":            cpu + "\n",
		"fs/cgroup/pids.max":           "max\n",
		"fs/cgroup/cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
		"kernel/hostname":              ki.Hostname + "\n",
	}
	for name, data := range files {
		comps := split(name)
		n := t.root
		for _, c := range comps[:len(comps)-1] {
			if n.kids[c] == nil {
				n.kids[c] = newNode(fs.ModeDir|0o555, 0, 0)
			}
			n = n.kids[c]
		}
		f := newNode(0o444, 0, 0)
		f.data = []byte(data)
		n.kids[comps[len(comps)-1]] = f
	}
	return t
}
