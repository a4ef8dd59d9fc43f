package programs

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The part of nginx's configuration language kubelab's nginx reads: the
// syntax whole (blocks, quotes, comments, include with globs), and of the
// directives: listen, server_name, root, alias, index, location (=, ^~,
// prefix, ~ and ~*), return, proxy_pass, error_page and pid. Other real
// directives are accepted and have no effect (nginxIgnored); a name nginx
// does not know fails as nginx fails: unknown directive.

// directive is one "name args;" or "name args { block }".
type directive struct {
	name  string
	args  []string
	block []*directive // nil: no block
	file  string
	line  int
}

func (d *directive) where() string { return fmt.Sprintf("%s:%d", d.file, d.line) }

// confError is an [emerg] of the configuration.
type confError struct{ msg string }

func (e *confError) Error() string { return e.msg }

func emergf(format string, args ...any) error { return &confError{fmt.Sprintf(format, args...)} }

// parseConf reads file (absolute) of fsys and the files it includes.
func parseConf(fsys fs.FS, file string) ([]*directive, error) {
	return parseConfDepth(fsys, file, 0)
}

func parseConfDepth(fsys fs.FS, file string, depth int) ([]*directive, error) {
	data, err := fs.ReadFile(fsys, strings.TrimPrefix(file, "/"))
	if err != nil {
		return nil, emergf("open() %q failed (%s)", file, errnoText(err))
	}
	toks, err := tokenize(string(data), file)
	if err != nil {
		return nil, err
	}
	p := &confParser{fsys: fsys, toks: toks, file: file, depth: depth}
	return p.block(false, false)
}

type token struct {
	text   string
	quoted bool
	line   int
}

func tokenize(src, file string) ([]token, error) {
	var out []token
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == ';' || c == '{' || c == '}':
			out = append(out, token{text: string(c), line: line})
			i++
		case c == '"' || c == '\'':
			start, j := line, i+1
			var b strings.Builder
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
					if e, ok := map[byte]byte{'n': '\n', 't': '\t', 'r': '\r'}[src[j]]; ok {
						b.WriteByte(e)
						continue
					}
				}
				if src[j] == '\n' {
					line++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, emergf("unexpected end of file, expecting \";\" or \"}\" in %s:%d", file, line)
			}
			out = append(out, token{text: b.String(), quoted: true, line: start})
			i = j + 1
		default:
			j := i
			for j < len(src) && !strings.ContainsRune(" \t\r\n;{}#", rune(src[j])) {
				j++
			}
			out = append(out, token{text: src[i:j], line: line})
			i = j
		}
	}
	return out, nil
}

type confParser struct {
	fsys  fs.FS
	toks  []token
	pos   int
	file  string
	depth int
}

// freeBlocks hold free-form entries, not directives (types { text/html html; }).
var freeBlocks = []string{"types", "map", "geo", "split_clients", "charset_map"}

func (p *confParser) block(inner, free bool) ([]*directive, error) {
	var out []*directive
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if !t.quoted && t.text == "}" {
			if !inner {
				return nil, emergf("unexpected \"}\" in %s:%d", p.file, t.line)
			}
			p.pos++
			return out, nil
		}
		if !t.quoted && (t.text == ";" || t.text == "{") {
			return nil, emergf("unexpected %q in %s:%d", t.text, p.file, t.line)
		}
		d := &directive{name: t.text, file: p.file, line: t.line}
		p.pos++
		for {
			if p.pos >= len(p.toks) {
				return nil, emergf("unexpected end of file, expecting \";\" or \"}\" in %s:%d", p.file, p.lastLine())
			}
			a := p.toks[p.pos]
			p.pos++
			if !a.quoted && a.text == ";" {
				break
			}
			if !a.quoted && a.text == "{" {
				kids, err := p.block(true, slices.Contains(freeBlocks, d.name))
				if err != nil {
					return nil, err
				}
				d.block = kids
				if d.block == nil {
					d.block = []*directive{}
				}
				break
			}
			if !a.quoted && a.text == "}" {
				return nil, emergf("unexpected \"}\" in %s:%d", p.file, a.line)
			}
			d.args = append(d.args, a.text)
		}
		if free {
			out = append(out, d)
			continue
		}
		if err := p.check(d); err != nil {
			return nil, err
		}
		if d.name == "include" {
			inc, err := p.include(d)
			if err != nil {
				return nil, err
			}
			out = append(out, inc...)
			continue
		}
		out = append(out, d)
	}
	if inner {
		return nil, emergf("unexpected end of file, expecting \"}\" in %s:%d", p.file, p.lastLine())
	}
	return out, nil
}

func (p *confParser) lastLine() int {
	if len(p.toks) == 0 {
		return 1
	}
	return p.toks[len(p.toks)-1].line
}

// check fails as nginx does on an unknown directive, a block where none
// goes, or a wrong number of arguments.
func (p *confParser) check(d *directive) error {
	spec, ok := nginxDirectives[d.name]
	if d.name == "server" && d.block == nil {
		return nil // a member of an upstream
	}
	if !ok {
		if slices.Contains(nginxIgnored, d.name) {
			return nil
		}
		return emergf("unknown directive %q in %s", d.name, d.where())
	}
	if spec.block != (d.block != nil) {
		if spec.block {
			return emergf("directive %q has no opening \"{\" in %s", d.name, d.where())
		}
		return emergf("directive %q is not terminated by \";\" in %s", d.name, d.where())
	}
	if len(d.args) < spec.min || spec.max >= 0 && len(d.args) > spec.max {
		return emergf("invalid number of arguments in %q directive in %s", d.name, d.where())
	}
	return nil
}

func (p *confParser) include(d *directive) ([]*directive, error) {
	pattern := d.args[0]
	if !path.IsAbs(pattern) {
		pattern = path.Join("/etc/nginx", pattern)
	}
	matches, err := fs.Glob(p.fsys, strings.TrimPrefix(pattern, "/"))
	if err != nil {
		return nil, emergf("invalid include pattern %q in %s", d.args[0], d.where())
	}
	if len(matches) == 0 && !strings.ContainsAny(pattern, "*?[") {
		return nil, emergf("open() %q failed (2: No such file or directory) in %s", pattern, d.where())
	}
	slices.Sort(matches)
	var out []*directive
	for _, m := range matches {
		if p.depth > 10 {
			return nil, emergf("include depth exceeded in %s", d.where())
		}
		kids, err := parseConfDepth(p.fsys, "/"+m, p.depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, kids...)
	}
	return out, nil
}

type directiveSpec struct {
	block    bool
	min, max int // max -1: any
}

// nginxDirectives are the directives kubelab's nginx reads.
var nginxDirectives = map[string]directiveSpec{
	"events": {block: true}, "http": {block: true}, "server": {block: true},
	"location": {block: true, min: 1, max: 2}, "include": {min: 1, max: 1},
	"listen": {min: 1, max: -1}, "server_name": {min: 1, max: -1},
	"root": {min: 1, max: 1}, "alias": {min: 1, max: 1}, "index": {min: 1, max: -1},
	"return": {min: 1, max: 2}, "proxy_pass": {min: 1, max: 1},
	"error_page": {min: 2, max: -1}, "pid": {min: 1, max: 1}, "user": {min: 1, max: 2},
	"upstream": {block: true, min: 1, max: 1},
}

// nginxIgnored are real directives kubelab's nginx accepts and does not
// act on (their effect does not show in what lessons look at).
var nginxIgnored = []string{
	"worker_processes", "error_log", "worker_connections", "default_type", "log_format",
	"access_log", "sendfile", "tcp_nopush", "tcp_nodelay", "keepalive_timeout", "gzip",
	"gzip_types", "gzip_min_length", "gzip_vary", "gzip_proxied", "gzip_comp_level", "types",
	"client_max_body_size", "proxy_set_header", "proxy_http_version", "proxy_read_timeout",
	"proxy_connect_timeout", "proxy_send_timeout", "proxy_buffering", "proxy_redirect",
	"add_header", "expires", "charset", "autoindex", "server_tokens", "resolver", "server",
	"try_files", "deny", "allow", "keepalive", "multi_accept", "worker_rlimit_nofile",
	"ssl_certificate", "ssl_certificate_key", "ssl_protocols", "ssl_ciphers", "stub_status",
	"limit_req", "limit_req_zone", "map", "set", "rewrite", "if", "default", "hash",
	"least_conn", "ip_hash", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path",
	"uwsgi_temp_path", "scgi_temp_path", "absolute_redirect", "port_in_redirect",
	"server_names_hash_bucket_size", "large_client_header_buffers", "real_ip_header",
	"set_real_ip_from", "etag", "if_modified_since", "open_file_cache", "internal",
	"health_check", "types_hash_max_size", "daemon", "master_process", "env", "load_module",
	"worker_shutdown_timeout", "aio", "directio", "output_buffers", "postpone_output",
	"sub_filter", "sub_filter_once", "default_server",
}

// location is one location block.
type location struct {
	match    string // "=", "^~", "" (prefix), "~", "~*"
	pattern  string
	re       *regexp.Regexp
	root     string
	alias    string
	index    []string
	ret      *returnSpec
	proxy    string // proxy_pass URL
	proxyAt  string // its file:line
	errPages map[int]string
}

type returnSpec struct {
	code int
	text string
}

// vserver is one server block.
type vserver struct {
	listens   []listen
	names     []string
	root      string
	index     []string
	locations []*location
	ret       *returnSpec
	errPages  map[int]string
}

type listen struct {
	host string // "" or "0.0.0.0": every IPv4 address; "[::]": IPv6
	port int
	def  bool // default_server
}

func (l listen) String() string {
	host := l.host
	if host == "" || host == "*" {
		host = "0.0.0.0"
	}
	return host + ":" + strconv.Itoa(l.port)
}

// parseListen reads listen's first argument: 80, 8080, 127.0.0.1:80, [::]:80, *:80.
func parseListen(d *directive) (listen, error) {
	a := d.args[0]
	l := listen{def: slices.Contains(d.args[1:], "default_server") || slices.Contains(d.args[1:], "default")}
	host, port := "", a
	if i := strings.LastIndex(a, ":"); i >= 0 {
		host, port = a[:i], a[i+1:]
	} else if strings.ContainsAny(a, ".") || strings.HasPrefix(a, "unix") {
		host, port = a, "80"
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return l, emergf("invalid port in %q of the \"listen\" directive in %s", a, d.where())
	}
	if host == "*" {
		host = ""
	}
	l.host, l.port = host, n
	return l, nil
}
