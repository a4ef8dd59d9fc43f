package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/syntax"

	"github.com/kubelab/kubelab/lab/sandbox"
	"github.com/kubelab/kubelab/lab/sandbox/internal/interp"
)

// dialect is the shell a Program emulates.
type dialect struct {
	lang syntax.LangVariant
	bash bool
}

// ash parses bash's syntax: busybox's ash takes most of it ([[ ]],
// ${x/a/b}, ${x:1:2}, $'...', &>, function), which a POSIX parser refuses;
// the little more it does not (arrays, {1..3}) works here.
var (
	ash  = dialect{lang: syntax.LangBash}
	bash = dialect{lang: syntax.LangBash, bash: true}
)

// Ash is busybox's sh (ash): what sh, /bin/sh and ash run in busybox and
// alpine images, with ash's messages.
func Ash() sandbox.Program { return ash.run }

// Bash is bash, for images that have it (bash syntax and messages).
func Bash() sandbox.Program { return bash.run }

// invocation is how the shell was started.
type invocation struct {
	name   string   // what messages start with: "sh", "bash"
	opts   []string // set options: -e, -x, +u, -o pipefail
	src    io.Reader
	file   string // $0
	params []string
	script bool // a script file (messages say "file: line N:")
	stdin  bool // commands come from stdin: run each line as it comes
}

// parseArgs reads sh [-eux...] [-o opt] [-c cmd [arg0 [args]] | -s | file [args]].
func (d dialect) parseArgs(p *sandbox.Proc) (*invocation, int) {
	name := "sh"
	if len(p.Args) > 0 {
		name = path.Base(p.Args[0])
		if d.bash {
			name = "bash"
		}
	}
	inv := &invocation{name: name, file: name}
	args := p.Args[min(1, len(p.Args)):]
	cmd, fromStdin := false, false
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			args = args[1:]
			break
		}
		if len(a) < 2 || a[0] != '-' && a[0] != '+' || a == "--login" || a == "--noprofile" || a == "--norc" {
			if a == "--login" || a == "--noprofile" || a == "--norc" {
				args = args[1:]
				continue
			}
			break
		}
		args = args[1:]
		for _, c := range a[1:] {
			switch c {
			case 'c':
				cmd = true
			case 's':
				fromStdin = true
			case 'i', 'l':
			case 'o':
				if len(args) == 0 {
					fmt.Fprintf(p.Stderr, "%s: -o requires an argument\n", name)
					return nil, 2
				}
				inv.opts = append(inv.opts, a[:1]+"o", args[0])
				args = args[1:]
			case 'e', 'x', 'u', 'f', 'n', 'a', 'v':
				if c != 'v' {
					inv.opts = append(inv.opts, string(a[0])+string(c))
				}
			default:
				fmt.Fprintf(p.Stderr, "%s: %s: invalid option\n", name, a)
				return nil, 2
			}
		}
	}
	switch {
	case cmd:
		if len(args) == 0 {
			fmt.Fprintf(p.Stderr, "%s: -c requires an argument\n", name)
			return nil, 2
		}
		inv.src = strings.NewReader(args[0])
		args = args[1:]
		if len(args) > 0 {
			inv.file, args = args[0], args[1:]
		}
		inv.params = args
	case fromStdin || len(args) == 0:
		inv.src, inv.stdin = p.Stdin, true
		inv.params = args
	default:
		f, err := p.FS.Open(args[0])
		if err != nil {
			fmt.Fprintf(p.Stderr, "%s: can't open '%s': %s\n", name, args[0], sandbox.Strerror(err))
			if d.bash {
				return nil, 127
			}
			return nil, 2
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, 16<<20))
		if err != nil {
			fmt.Fprintf(p.Stderr, "%s: %s: %s\n", name, args[0], sandbox.Strerror(err))
			return nil, 126
		}
		inv.src = strings.NewReader(string(b))
		inv.file, inv.params, inv.script = args[0], args[1:], true
	}
	return inv, 0
}

func (d dialect) run(ctx context.Context, p *sandbox.Proc) int {
	inv, code := d.parseArgs(p)
	if inv == nil {
		return code
	}
	s := &shell{d: d, p: p, inv: inv}
	r, err := s.runner()
	if err != nil {
		fmt.Fprintf(p.Stderr, "%s: %v\n", inv.name, err)
		return 2
	}
	s.r = r
	r.EnableSignals()
	if inv.stdin {
		return s.interactive(ctx)
	}
	file, err := syntax.NewParser(syntax.Variant(d.lang)).Parse(inv.src, inv.file)
	if err != nil {
		s.syntaxError(err)
		return 2
	}
	err = r.Run(ctx, file)
	return s.status(ctx, err)
}

// status turns Run's result into the shell's exit status.
func (s *shell) status(ctx context.Context, err error) int {
	var es interp.ExitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &es):
		return int(es)
	case ctx.Err() != nil:
		return 128 + int(syscall.SIGTERM)
	}
	fmt.Fprintf(s.p.Stderr, "%s: %v\n", s.inv.name, err)
	return 2
}

func (s *shell) syntaxError(err error) {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		fmt.Fprintf(s.p.Stderr, "%ssyntax error: %s\n", s.prefix(pe.Pos), pe.Text)
		return
	}
	fmt.Fprintf(s.p.Stderr, "%s: syntax error: %v\n", s.inv.name, err)
}

// prefix is what the shell's messages start with: "sh: " for -c, and for
// a script "script.sh: line 3: " (bash: "bash: line 1: ").
func (s *shell) prefix(pos syntax.Pos) string {
	line := int(pos.Line())
	switch {
	case s.inv.script && line > 0:
		return fmt.Sprintf("%s: line %d: ", s.inv.file, line)
	case s.d.bash && line > 0:
		return fmt.Sprintf("%s: line %d: ", s.inv.name, line)
	}
	return s.inv.name + ": "
}

// builtinPrefix is what a builtin's messages start with: ash's
// "sh: cd: line 0: " (-c counts lines from 0), bash's "bash: line 1: cd: ".
func (s *shell) builtinPrefix(pos syntax.Pos, cmd string) string {
	line := int(pos.Line())
	switch {
	case s.d.bash:
		return s.prefix(pos) + cmd + ": "
	case s.inv.script:
		return fmt.Sprintf("%s: %s: line %d: ", s.inv.file, cmd, line)
	}
	return fmt.Sprintf("%s: %s: line %d: ", s.inv.name, cmd, max(0, line-1))
}

// interactive runs the commands stdin gives, each line as it comes (kubectl
// exec -i, a script piped in); on a terminal it prompts as ash does
// ("/ # ") and goes on after a syntax error.
func (s *shell) interactive(ctx context.Context) int {
	term := isTerminal(s.p.Stderr)
	parser := syntax.NewParser(syntax.Variant(s.d.lang))
	prompt := func() {
		if !term {
			return
		}
		if parser.Incomplete() {
			fmt.Fprint(s.p.Stderr, "> ")
			return
		}
		fmt.Fprint(s.p.Stderr, s.ps1())
	}
	status := 0
	prompt()
	for stmts, err := range parser.InteractiveSeq(s.r.Stdin()) {
		if err != nil {
			s.syntaxError(err)
			if !term {
				return 2
			}
			status = 2
			parser = syntax.NewParser(syntax.Variant(s.d.lang))
			prompt()
			continue
		}
		for _, st := range stmts {
			err := s.r.Run(ctx, st)
			status = s.status(ctx, err)
			if s.r.Exited() || ctx.Err() != nil {
				return status
			}
		}
		prompt()
	}
	// The end of input is an exit: the EXIT trap runs, the status stays.
	exit, _ := syntax.NewParser().Parse(strings.NewReader(fmt.Sprintf("exit %d", status)), s.inv.file)
	return s.status(ctx, s.r.Run(ctx, exit))
}

// ps1 is ash's default prompt, '\w \$ ': the directory (~ for $HOME), then
// # for root or $.
func (s *shell) ps1() string {
	dir := s.r.Dir
	if home := s.p.Getenv("HOME"); home != "" && home != "/" && (dir == home || strings.HasPrefix(dir, home+"/")) {
		dir = "~" + dir[len(home):]
	}
	if s.p.UID == 0 {
		return dir + " # "
	}
	return dir + " $ "
}

// isTerminal reports whether w is a terminal (kubectl exec -t).
func isTerminal(w any) bool {
	t, ok := w.(interface{ Terminal() bool })
	return ok && t.Terminal()
}
