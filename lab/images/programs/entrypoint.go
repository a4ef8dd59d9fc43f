package programs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// exec replaces the running program with args, as `exec "$@"` does: the
// same process (Proc) with new arguments, found as the shell's PATH search
// finds it. A name that is not there fails as sh does (127).
func exec(ctx context.Context, p *sandbox.Proc, self string, args []string) int {
	if len(args) == 0 {
		return 0
	}
	prog, ok := lookup(p, args[0])
	if !ok {
		fmt.Fprintf(p.Stderr, "%s: exec: line 1: %s: not found\n", self, args[0])
		return 127
	}
	child := *p
	child.Args = args
	if p.Start != nil {
		// Same PID: the sandbox replaces this process, as execve does.
		status, err := p.Start(ctx, &child)
		if err != nil {
			fmt.Fprintf(p.Stderr, "%s: exec: line 1: %s: %v\n", self, args[0], err)
			return execStatus(err)
		}
		return status
	}
	return prog(ctx, &child)
}

// lookup finds a program as the container's PATH does: the sandbox's
// Lookup, else this package's own programs.
func lookup(p *sandbox.Proc, name string) (sandbox.Program, bool) {
	if p.Lookup != nil {
		return p.Lookup(name)
	}
	for _, img := range images {
		for file, prog := range img.Programs {
			if file == name || path.Base(file) == name {
				return prog, true
			}
		}
	}
	return nil, false
}

// nginxEntrypoint is the official nginx image's /docker-entrypoint.sh: for
// `nginx` it runs the scripts of /docker-entrypoint.d (the IPv6 listen of
// default.conf, templates), saying so as the real one does, then execs its
// arguments.
func nginxEntrypoint(ctx context.Context, p *sandbox.Proc) int {
	self := p.Args[0]
	args := p.Args[1:]
	quiet := p.Getenv("NGINX_ENTRYPOINT_QUIET_LOGS") != ""
	say := func(format string, a ...any) {
		if !quiet {
			fmt.Fprintf(p.Stdout, format+"\n", a...)
		}
	}
	if len(args) > 0 && (args[0] == "nginx" || args[0] == "nginx-debug") {
		entries, err := p.FS.ReadDir("/docker-entrypoint.d")
		if err != nil || len(entries) == 0 {
			say("%s: No files found in /docker-entrypoint.d/, skipping configuration", self)
		} else {
			say("%s: /docker-entrypoint.d/ is not empty, will attempt to perform configuration", self)
			say("%s: Looking for shell scripts in /docker-entrypoint.d/", self)
			names := make([]string, 0, len(entries))
			for _, e := range entries {
				names = append(names, e.Name())
			}
			slices.Sort(names)
			for _, name := range names {
				file := "/docker-entrypoint.d/" + name
				switch {
				case strings.HasSuffix(name, ".envsh"):
					say("%s: Sourcing %s", self, file)
				case strings.HasSuffix(name, ".sh"):
					say("%s: Launching %s", self, file)
					if name == "10-listen-on-ipv6-by-default.sh" {
						listenIPv6(p, say)
					}
					if name == "20-envsubst-on-templates.sh" {
						envsubstTemplates(p, say)
					}
				default:
					say("%s: Ignoring %s", self, file)
				}
			}
			say("%s: Configuration complete; ready for start up", self)
		}
	}
	return exec(ctx, p, self, args)
}

// listenIPv6 is 10-listen-on-ipv6-by-default.sh: the packaged default.conf
// also listens on [::]:80 (once; not a changed or read-only file).
func listenIPv6(p *sandbox.Proc, say func(string, ...any)) {
	const me, conf = "10-listen-on-ipv6-by-default.sh", "/etc/nginx/conf.d/default.conf"
	data, err := readFile(p.FS, conf)
	if err != nil {
		say("%s: info: %s is not a file or does not exist", me, conf)
		return
	}
	f, err := p.FS.OpenFile(conf, os.O_WRONLY, 0)
	if err != nil {
		say("%s: info: can not modify %s (read-only file system?)", me, conf)
		return
	}
	_ = f.Close()
	if strings.Contains(string(data), "listen  [::]:80;") {
		say("%s: info: IPv6 listen already enabled", me)
		return
	}
	say("%s: info: Getting the checksum of %s", me, conf)
	if string(data) != nginxDefaultConf {
		say("%s: info: %s differs from the packaged version", me, conf)
		return
	}
	changed := strings.Replace(string(data), "listen       80;", "listen       80;\n    listen  [::]:80;", 1)
	if err := writeFile(p.FS, conf, []byte(changed), 0o644); err == nil {
		say("%s: info: Enabled listen on IPv6 in %s", me, conf)
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// envsubstTemplates is 20-envsubst-on-templates.sh: every *.template of
// /etc/nginx/templates becomes a file of /etc/nginx/conf.d with the
// container's variables filled in.
func envsubstTemplates(p *sandbox.Proc, say func(string, ...any)) {
	const me = "20-envsubst-on-templates.sh"
	dir := orDefault(p.Getenv("NGINX_ENVSUBST_TEMPLATE_DIR"), "/etc/nginx/templates")
	out := orDefault(p.Getenv("NGINX_ENVSUBST_OUTPUT_DIR"), "/etc/nginx/conf.d")
	suffix := orDefault(p.Getenv("NGINX_ENVSUBST_TEMPLATE_SUFFIX"), ".template")
	var templates []string
	_ = fs.WalkDir(procFS{p.FS}, strings.TrimPrefix(dir, "/"), func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, suffix) {
			templates = append(templates, "/"+name)
		}
		return nil
	})
	if len(templates) == 0 {
		return
	}
	for _, t := range templates {
		rel := strings.TrimSuffix(strings.TrimPrefix(t, dir+"/"), suffix)
		dst := path.Join(out, rel)
		data, err := readFile(p.FS, t)
		if err != nil {
			continue
		}
		filled := envRef.ReplaceAllStringFunc(string(data), func(ref string) string {
			name := strings.Trim(ref, "${}")
			for _, kv := range p.Env {
				if k, v, _ := strings.Cut(kv, "="); k == name {
					return v
				}
			}
			return ref
		})
		say("%s: Running envsubst on %s to %s", me, t, dst)
		if err := writeFile(p.FS, dst, []byte(filled), 0o644); err != nil {
			say("%s: ERROR: %s exists, but %s is not writable", me, dir, out)
			return
		}
	}
}

// execStatus is a shell's status for a command that could not start: 127
// for a missing one, 126 for one it may not run.
func execStatus(err error) int {
	var ee *sandbox.ExecError
	if errors.As(err, &ee) && errors.Is(ee.Err, sandbox.ErrNotFound) {
		return 127
	}
	return 126
}
