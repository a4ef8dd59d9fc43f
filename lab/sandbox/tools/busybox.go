package tools

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/shell"
)

// Registry maps command names to programs.
type Registry map[string]sandbox.Program

// At places every program of r in dir: {"/bin/ls": ls, ...}, for a
// container's Programs (the official busybox image keeps all its applets
// in /bin).
func (r Registry) At(dir string) map[string]sandbox.Program {
	out := make(map[string]sandbox.Program, len(r))
	for name, p := range r {
		out[path.Join(dir, name)] = p
	}
	return out
}

// bodies are the applets kubelab implements, by name.
var bodies = map[string]func(c *cmd, args []string) int{
	"basename": basename, "cat": cat, "chgrp": chown, "chmod": chmodCmd, "chown": chown, "cp": cp,
	"cut": cut, "date": date, "df": df, "dirname": dirname, "du": du, "echo": echo, "egrep": grep,
	"env": envCmd, "false": falseCmd, "fgrep": grep, "find": find, "grep": grep, "head": head,
	"hostname": hostname, "id": id, "ln": ln, "ls": ls, "md5sum": md5sum, "mkdir": mkdir,
	"mount": mount, "mv": mv, "printenv": printenv, "printf": printfCmd, "pwd": pwdCmd, "rm": rm,
	"rmdir": rmdir, "seq": seq, "sha1sum": sha1sum, "sha256sum": sha256sum, "sha512sum": sha512sum,
	"sleep": sleepCmd, "sort": sortCmd, "stat": statCmd, "tail": tail, "tee": tee, "test": testCmd,
	"[": testCmd, "[[": testCmd, "touch": touch, "tr": tr, "true": trueCmd, "uname": uname,
	"uniq": uniq, "wc": wc, "whoami": whoami, "xargs": xargs, "yes": yes, "base64": base64Cmd,
	"ps": ps, "kill": kill, "top": top, "free": free, "wget": wget, "nc": nc, "nslookup": nslookup,
	"ping": ping, "sed": sed, "awk": awk, "tac": tac, "rev": rev, "readlink": readlink, "realpath": readlink,
	"which": which, "nproc": nproc, "timeout": timeout, "nohup": nohup, "mktemp": mktemp, "sync": syncCmd,
	"usleep": usleep, "expr": expr,
}

// Busybox returns the applets of busybox that kubelab implements, by
// name, with sh and ash (the shell) and busybox itself (which runs the
// applet its argv[0] or argv[1] names). An image's catalogue places them
// (Registry.At) and adds its own programs beside them.
func Busybox() Registry {
	r := Registry{}
	for name, body := range bodies {
		r[name] = applet(name, body)
	}
	r["sh"] = shell.Ash()
	r["ash"] = shell.Ash()
	r["busybox"] = busybox(r)
	return r
}

// Names lists the names Busybox has, sorted.
func Names() []string {
	names := slices.Collect(maps.Keys(Busybox()))
	slices.Sort(names)
	return names
}

// busybox is the multi-call binary: `busybox ls -l`, or a link named ls.
func busybox(r Registry) sandbox.Program {
	return func(ctx context.Context, p *sandbox.Proc) int {
		name := path.Base(p.Args[0])
		args := p.Args
		if name == "busybox" {
			if len(args) < 2 || args[1] == "--help" {
				fmt.Fprintf(p.Stdout, "%s\nBusyBox is copyrighted by many authors between 1998-2015.\nLicensed under GPLv2. See source distribution for detailed\ncopyright notices.\n\nUsage: busybox [function [arguments]...]\n   or: busybox --list\n   or: function [arguments]...\n\nCurrently defined functions:\n\t%s\n", Version, strings.Join(Names(), ", "))
				return 0
			}
			if args[1] == "--list" {
				for _, n := range Names() {
					fmt.Fprintln(p.Stdout, n)
				}
				return 0
			}
			name, args = args[1], args[1:]
		}
		prog, ok := r[name]
		if !ok || name == "busybox" {
			fmt.Fprintf(p.Stderr, "%s: applet not found\n", name)
			return 127
		}
		child := *p
		child.Args = args
		return prog(ctx, &child)
	}
}

// usages are the applets' usage lines, as busybox prints them.
var usages = map[string]string{
	"basename": "basename FILE [SUFFIX]", "cat": "cat [-nbvteA] [FILE]...", "chmod": "chmod [-Rcvf] MODE[,MODE]... FILE...",
	"chown": "chown [-RhLHPcvf]... USER[:[GRP]] FILE...", "chgrp": "chgrp [-RhLHPcvf]... GROUP FILE...",
	"cp": "cp [-arPLHpfinlsTu] SOURCE DEST", "cut": "cut [OPTIONS] [FILE]...", "date": "date [OPTIONS] [+FMT] [[-s] TIME]",
	"df": "df [-PkmhT] [-t TYPE] [FILESYSTEM]...", "dirname": "dirname FILENAME", "du": "du [-aHLdclsxhmk] [FILE]...",
	"env": "env [-i] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]", "find": "find [-HL] [PATH]... [OPTIONS] [ACTIONS]",
	"grep": "grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
	"head": "head [OPTIONS] [FILE]...", "hostname": "hostname [-sidf] [HOSTNAME | -F FILE]", "id": "id [-ugGnr] [USER]",
	"ln": "ln [-sfnbtv] [-S SUF] TARGET... LINK|DIR", "ls": "ls [-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]...",
	"mkdir": "mkdir [-m MODE] [-p] DIRECTORY...", "mv": "mv [-fin] SOURCE DEST", "printf": "printf FORMAT [ARG]...",
	"rm": "rm [-irf] FILE...", "rmdir": "rmdir [-p] DIRECTORY...", "seq": "seq [-w] [-s SEP] [FIRST [INC]] LAST",
	"sleep": "sleep [N]...", "sort": "sort [-nrughMcszbdfiokt] [-o FILE] [-k START[.OFS][OPTS][,END[.OFS][OPTS]] [-t CHAR] [FILE]...",
	"stat": "stat [-ltf] [-c FMT] FILE...", "tail": "tail [OPTIONS] [FILE]...", "tee": "tee [-ai] [FILE]...",
	"touch": "touch [-c] [-d DATE] [-t DATE] [-r FILE] FILE...", "tr": "tr [-cds] STRING1 [STRING2]",
	"uname": "uname [-amnrspvio]", "uniq": "uniq [-cdui] [-f,s,w N] [INPUT [OUTPUT]]", "wc": "wc [-cmlwL] [FILE]...",
	"xargs": "xargs [OPTIONS] [PROG ARGS]", "base64": "base64 [-d] [-w COL] [FILE]", "md5sum": "md5sum [-c[sw]] [FILE]...",
	"sha256sum": "sha256sum [-c[sw]] [FILE]...", "ps": "ps [-o COL1,COL2=HEADER] [-T]", "kill": "kill [-l] [-SIG] PID...",
	"top": "top [-b] [-n COUNT] [-d SECONDS] [-m]", "free": "free [-bkmgh]",
	"wget":     "wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR] [--post-data STR] [-Y on/off] [-P DIR] [-S] [-U AGENT] [-T SEC] URL...",
	"nc":       "nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen",
	"nslookup": "nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]", "ping": "ping [OPTIONS] HOST",
	"sed": "sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...", "awk": "awk [OPTIONS] [AWK_PROGRAM] [FILE]...",
	"readlink": "readlink [-fnv] FILE", "realpath": "realpath FILE...", "timeout": "timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS",
	"nohup": "nohup PROG ARGS", "mktemp": "mktemp [-dt] [-p DIR] [TEMPLATE]", "usleep": "usleep N", "expr": "expr EXPRESSION",
}
