package programs

import (
	"context"
	"net"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// nginxConfig is what the configuration says, of what kubelab's nginx does.
type nginxConfig struct {
	user      string
	userAt    string // file:line of the user directive
	pid       string
	servers   []*vserver
	upstreams map[string][]string // name -> host:port of its servers
}

// buildConfig turns the parsed directives into servers.
func buildConfig(dirs []*directive) (*nginxConfig, error) {
	cfg := &nginxConfig{pid: nginxDefaultPID, upstreams: map[string][]string{}}
	for _, d := range dirs {
		switch d.name {
		case "user":
			cfg.user, cfg.userAt = d.args[0], d.where()
		case "pid":
			cfg.pid = d.args[0]
		case "http":
			if err := cfg.http(d); err != nil {
				return nil, err
			}
		case "server", "location", "listen", "root", "index", "return", "proxy_pass", "server_name", "alias", "upstream", "error_page":
			return nil, emergf("%q directive is not allowed here in %s", d.name, d.where())
		}
	}
	return cfg, nil
}

func (cfg *nginxConfig) http(h *directive) error {
	root, index := "/etc/nginx/html", []string{"index.html"}
	errPages := map[int]string{}
	for _, d := range h.block {
		switch d.name {
		case "root":
			root = d.args[0]
		case "index":
			index = d.args
		case "error_page":
			addErrorPage(errPages, d)
		case "upstream":
			for _, s := range d.block {
				if s.name == "server" && len(s.args) > 0 {
					cfg.upstreams[d.args[0]] = append(cfg.upstreams[d.args[0]], s.args[0])
				}
			}
		}
	}
	for _, d := range h.block {
		if d.name != "server" || d.block == nil {
			continue
		}
		s := &vserver{root: root, index: index, errPages: copyPages(errPages)}
		for _, sd := range d.block {
			switch sd.name {
			case "listen":
				l, err := parseListen(sd)
				if err != nil {
					return err
				}
				s.listens = append(s.listens, l)
			case "server_name":
				s.names = sd.args
			case "root":
				s.root = sd.args[0]
			case "index":
				s.index = sd.args
			case "return":
				r, err := parseReturn(sd)
				if err != nil {
					return err
				}
				s.ret = r
			case "error_page":
				addErrorPage(s.errPages, sd)
			}
		}
		if len(s.listens) == 0 {
			s.listens = []listen{{port: 80}}
		}
		for _, sd := range d.block {
			if sd.name == "location" {
				loc, err := s.location(sd)
				if err != nil {
					return err
				}
				s.locations = append(s.locations, loc)
			}
		}
		cfg.servers = append(cfg.servers, s)
	}
	return nil
}

func copyPages(m map[int]string) map[int]string {
	out := map[int]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// addErrorPage reads error_page CODE... [=RESPONSE] URI.
func addErrorPage(m map[int]string, d *directive) {
	uri := d.args[len(d.args)-1]
	for _, a := range d.args[:len(d.args)-1] {
		if code, err := strconv.Atoi(a); err == nil {
			m[code] = uri
		}
	}
}

func parseReturn(d *directive) (*returnSpec, error) {
	code, err := strconv.Atoi(d.args[0])
	if err != nil {
		if len(d.args) == 1 && (strings.HasPrefix(d.args[0], "http://") || strings.HasPrefix(d.args[0], "https://") || strings.HasPrefix(d.args[0], "$scheme")) {
			return &returnSpec{code: 302, text: d.args[0]}, nil
		}
		return nil, emergf("invalid return code %q in %s", d.args[0], d.where())
	}
	r := &returnSpec{code: code}
	if len(d.args) == 2 {
		r.text = d.args[1]
	}
	return r, nil
}

func (s *vserver) location(d *directive) (*location, error) {
	loc := &location{root: s.root, index: s.index, errPages: copyPages(s.errPages)}
	if len(d.args) == 2 {
		loc.match, loc.pattern = d.args[0], d.args[1]
	} else {
		loc.pattern = d.args[0]
	}
	switch loc.match {
	case "", "=", "^~":
	case "~", "~*":
		expr := loc.pattern
		if loc.match == "~*" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, emergf("pcre2_compile() failed: %s in %q at \"\" in %s", err, loc.pattern, d.where())
		}
		loc.re = re
	default:
		return nil, emergf("invalid location modifier %q in %s", loc.match, d.where())
	}
	for _, ld := range d.block {
		switch ld.name {
		case "root":
			loc.root = ld.args[0]
		case "alias":
			loc.alias = ld.args[0]
		case "index":
			loc.index = ld.args
		case "return":
			r, err := parseReturn(ld)
			if err != nil {
				return nil, err
			}
			loc.ret = r
		case "proxy_pass":
			if _, err := url.Parse(ld.args[0]); err != nil || !strings.HasPrefix(ld.args[0], "http://") && !strings.HasPrefix(ld.args[0], "https://") {
				return nil, emergf("invalid URL prefix in %s", ld.where())
			}
			loc.proxy = ld.args[0]
			loc.proxyAt = ld.where()
		case "error_page":
			addErrorPage(loc.errPages, ld)
		}
	}
	return loc, nil
}

// resolve looks up every proxy_pass host at start-up, as nginx does: a
// name that does not resolve stops nginx (a Service not created yet).
func (cfg *nginxConfig) resolve(ctx context.Context, n sandbox.Net) error {
	lookup := func(hostport, where string) error {
		host := hostport
		if h, _, err := net.SplitHostPort(hostport); err == nil {
			host = h
		}
		if net.ParseIP(host) != nil {
			return nil
		}
		if _, err := n.LookupHost(ctx, host); err != nil {
			return emergf("host not found in upstream %q in %s", hostport, where)
		}
		return nil
	}
	for _, s := range cfg.servers {
		for _, loc := range s.locations {
			if loc.proxy == "" {
				continue
			}
			u, _ := url.Parse(loc.proxy)
			if _, ok := cfg.upstreams[u.Host]; ok {
				continue
			}
			if err := lookup(u.Host, loc.proxyAt); err != nil {
				return err
			}
		}
	}
	return nil
}

// find is the location of uri: an exact match, else the longest prefix
// unless a regex matches (in order) and the prefix is not ^~.
func (s *vserver) find(uri string) *location {
	var best *location
	for _, l := range s.locations {
		switch l.match {
		case "=":
			if uri == l.pattern {
				return l
			}
		case "", "^~":
			if strings.HasPrefix(uri, l.pattern) && (best == nil || len(l.pattern) > len(best.pattern)) {
				best = l
			}
		}
	}
	if best != nil && best.match == "^~" {
		return best
	}
	for _, l := range s.locations {
		if l.re != nil && l.re.MatchString(uri) {
			return l
		}
	}
	return best
}

// file is where a location keeps uri.
func (l *location) file(uri string) string {
	if l.alias != "" && l.re == nil {
		return path.Join(l.alias, strings.TrimPrefix(uri, l.pattern)) + trailingSlash(uri)
	}
	root := l.root
	if !path.IsAbs(root) {
		root = path.Join("/etc/nginx", root)
	}
	return path.Join(root, uri) + trailingSlash(uri)
}

func trailingSlash(uri string) string {
	if strings.HasSuffix(uri, "/") && uri != "/" {
		return "/"
	}
	if uri == "/" {
		return "/"
	}
	return ""
}
