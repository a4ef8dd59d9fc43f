package programs

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

const (
	httpdDefaultVer = "2.4.63"
	httpdPrefix     = "/usr/local/apache2"
	httpdConf       = httpdPrefix + "/conf/httpd.conf"
	httpdPIDFile    = httpdPrefix + "/logs/httpd.pid"
	httpdRequestCPU = 200 * time.Microsecond
)

// httpd is one Apache httpd (event MPM).
type httpd struct {
	p        *sandbox.Proc
	version  string
	listens  []string
	docRoot  string
	index    []string
	hasName  bool
	outMu    sync.Mutex
	cmdline  string
	hostAddr string
}

// Httpd is the official image's httpd: `httpd -DFOREGROUND` serves
// DocumentRoot on the Listen ports of conf/httpd.conf; -v and -t as the
// real one.
func Httpd(ctx context.Context, p *sandbox.Proc) int {
	h := &httpd{p: p, version: orDefault(p.Getenv("HTTPD_VERSION"), httpdDefaultVer), docRoot: httpdPrefix + "/htdocs", index: []string{"index.html"}}
	conf := httpdConf
	args := p.Args[1:]
	test := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-v":
			fmt.Fprintf(p.Stdout, "Server version: Apache/%s (Unix)\nServer built:   Jan 21 2025 19:43:43\n", h.version)
			return 0
		case a == "-t":
			test = true
		case a == "-f" && i+1 < len(args):
			conf = p.FS.Abs(httpdPrefix, args[i+1])
			i++
		case a == "-D" && i+1 < len(args):
			i++
		case strings.HasPrefix(a, "-D"), a == "-X":
		default:
			fmt.Fprintf(p.Stderr, "httpd: illegal option -- %s\n", strings.TrimPrefix(a, "-"))
			return 1
		}
	}
	h.cmdline = "httpd -D FOREGROUND"
	if err := h.readConf(conf); err != nil {
		fmt.Fprintln(p.Stderr, err)
		return 1
	}
	h.hostAddr = h.hostAddress(ctx)
	if test {
		h.fqdnWarning()
		fmt.Fprintln(p.Stderr, "Syntax OK")
		return 0
	}
	return h.run(ctx)
}

// readConf reads the directives kubelab's httpd acts on: Listen,
// DocumentRoot, DirectoryIndex, ServerName.
func (h *httpd) readConf(file string) error {
	data, err := readFile(h.p.FS, file)
	if err != nil {
		return fmt.Errorf("httpd: Could not open configuration file %s: %s", file, strerror(err))
	}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "listen":
			h.listens = append(h.listens, f[1])
		case "documentroot":
			h.docRoot = strings.Trim(f[1], `"`)
		case "directoryindex":
			h.index = f[1:]
		case "servername":
			h.hasName = true
		}
	}
	return nil
}

// hostAddress is what httpd names the server without ServerName: the
// address the pod's host name has (its /etc/hosts line).
func (h *httpd) hostAddress(ctx context.Context) string {
	if data, err := readFile(h.p.FS, "/etc/hosts"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			for _, name := range f[min(1, len(f)):] {
				if name == h.p.Hostname && !strings.HasPrefix(f[0], "127.") {
					return f[0]
				}
			}
		}
	}
	if addrs, err := h.p.Net.LookupHost(ctx, h.p.Hostname); err == nil && len(addrs) > 0 {
		return addrs[0]
	}
	return "127.0.0.1"
}

func (h *httpd) fqdnWarning() {
	if !h.hasName {
		fmt.Fprintf(h.p.Stderr, "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using %s. Set the 'ServerName' directive globally to suppress this message\n", h.hostAddr)
	}
}

// logf is an error log line (ErrorLog is /proc/self/fd/2 in the image).
func (h *httpd) logf(module, format string, args ...any) {
	h.outMu.Lock()
	defer h.outMu.Unlock()
	fmt.Fprintf(h.p.Stderr, "[%s] [%s] [pid 1:tid 1] %s\n", time.Now().UTC().Format("Mon Jan 02 15:04:05.000000 2006"), module, fmt.Sprintf(format, args...))
}

func (h *httpd) run(ctx context.Context) int {
	h.fqdnWarning()
	if len(h.listens) == 0 {
		fmt.Fprintln(h.p.Stderr, "no listening sockets available, shutting down")
		fmt.Fprintln(h.p.Stderr, "AH00015: Unable to open logs")
		return 1
	}
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}
	for _, l := range h.listens {
		addr := l
		if !strings.Contains(l, ":") {
			addr = ":" + l
		}
		ln, err := h.p.Net.Listen("tcp", addr)
		if err != nil {
			port := addr[strings.LastIndex(addr, ":")+1:]
			code := errnoText(err)
			num := code[:strings.Index(code+":", ":")]
			for _, shown := range []string{"[::]:" + port, "0.0.0.0:" + port} {
				fmt.Fprintf(h.p.Stderr, "(%s)%s: AH00072: make_sock: could not bind to address %s\n", num, strerror(err), shown)
			}
			closeAll()
			fmt.Fprintln(h.p.Stderr, "no listening sockets available, shutting down")
			fmt.Fprintln(h.p.Stderr, "AH00015: Unable to open logs")
			return 1
		}
		lns = append(lns, ln)
	}
	if err := writeFile(h.p.FS, httpdPIDFile, []byte("1\n"), 0o644); err != nil {
		code := errnoText(err)
		fmt.Fprintf(h.p.Stderr, "(%s)%s: AH00099: could not create %s.kubelab\n", code[:strings.Index(code+":", ":")], strerror(err), httpdPIDFile)
		fmt.Fprintf(h.p.Stderr, "AH00100: httpd: could not log pid to file %s\n", httpdPIDFile)
		closeAll()
		return 1
	}
	h.fqdnWarning()
	h.logf("mpm_event:notice", "AH00489: Apache/%s (Unix) configured -- resuming normal operations", h.version)
	h.logf("core:notice", "AH00094: Command line: '%s'", h.cmdline)
	var servers []*http.Server
	for _, ln := range lns {
		srv := &http.Server{Handler: http.HandlerFunc(h.handle), ReadHeaderTimeout: 60 * time.Second}
		servers = append(servers, srv)
		go func() { _ = srv.Serve(ln) }()
	}
	<-ctx.Done()
	// The image's STOPSIGNAL is SIGWINCH: a graceful stop.
	h.logf("mpm_event:notice", "AH00492: caught SIGWINCH, shutting down gracefully")
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shut)
		_ = srv.Close()
	}
	_ = h.p.FS.Remove(httpdPIDFile)
	return 0
}

func (h *httpd) handle(w http.ResponseWriter, r *http.Request) {
	h.p.Usage.CPU(httpdRequestCPU)
	rec := &record{ResponseWriter: w}
	rec.Header().Set("Server", "Apache/"+h.version+" (Unix)")
	h.serve(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	bytes := "-"
	if rec.bytes > 0 {
		bytes = strconv.FormatInt(rec.bytes, 10)
	}
	h.outMu.Lock()
	fmt.Fprintf(h.p.Stdout, "%s - - [%s] %q %d %s\n", client, time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"), r.Method+" "+r.RequestURI+" "+r.Proto, rec.status, bytes)
	h.outMu.Unlock()
}

func (h *httpd) serve(w http.ResponseWriter, r *http.Request) {
	uri := path.Clean("/" + r.URL.Path)
	file := path.Join(h.docRoot, uri)
	fi, err := h.p.FS.Stat(file)
	if err != nil {
		h.page(w, http.StatusNotFound, "Not Found", "<p>The requested URL was not found on this server.</p>")
		return
	}
	if fi.IsDir() {
		if !strings.HasSuffix(r.URL.Path, "/") {
			w.Header().Set("Location", "http://"+r.Host+uri+"/")
			h.page(w, http.StatusMovedPermanently, "Moved Permanently", "<p>The document has moved <a href=\"http://"+html.EscapeString(r.Host+uri)+"/\">here</a>.</p>")
			return
		}
		for _, idx := range h.index {
			if ifi, err := h.p.FS.Stat(path.Join(file, idx)); err == nil && !ifi.IsDir() {
				file, fi = path.Join(file, idx), ifi
				break
			}
		}
		if fi.IsDir() {
			h.listing(w, file, uri)
			return
		}
	}
	f, err := h.p.FS.Open(file)
	if err != nil {
		h.page(w, http.StatusForbidden, "Forbidden", "<p>You don't have permission to access this resource.</p>")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", mimeType(file))
	w.Header().Set("ETag", fmt.Sprintf("\"%x-%x\"", fi.Size(), fi.ModTime().UnixMicro()))
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, path.Base(file), fi.ModTime(), rs)
		return
	}
	_, _ = io.Copy(w, f)
}

// page is one of httpd's own error pages.
func (h *httpd) page(w http.ResponseWriter, status int, title, body string) {
	page := fmt.Sprintf("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>%d %s</title>\n</head><body>\n<h1>%s</h1>\n%s\n</body></html>\n", status, title, title, body)
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, page)
}

// listing is mod_autoindex's page (Options Indexes in the image's conf).
func (h *httpd) listing(w http.ResponseWriter, dir, uri string) {
	entries, err := h.p.FS.ReadDir(dir)
	if err != nil {
		h.page(w, http.StatusForbidden, "Forbidden", "<p>You don't have permission to access this resource.</p>")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of %s</title>\n </head>\n <body>\n<h1>Index of %s</h1>\n<ul>", html.EscapeString(uri), html.EscapeString(uri))
	if uri != "/" {
		b.WriteString("<li><a href=\"/" + html.EscapeString(strings.TrimPrefix(path.Dir(strings.TrimSuffix(uri, "/")), "/")) + "\"> Parent Directory</a></li>\n")
	}
	for _, e := range entries {
		name := e.Name()
		if e.Type()&fs.ModeDir != 0 {
			name += "/"
		}
		b.WriteString("<li><a href=\"" + html.EscapeString(name) + "\"> " + html.EscapeString(name) + "</a></li>\n")
	}
	b.WriteString("</ul>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html;charset=ISO-8859-1")
	_, _ = io.WriteString(w, b.String())
}

// httpdForeground is the image's httpd-foreground: a stale pid file goes,
// then `httpd -DFOREGROUND` with its arguments.
func httpdForeground(ctx context.Context, p *sandbox.Proc) int {
	_ = p.FS.Remove(httpdPIDFile)
	return exec(ctx, p, p.Args[0], append([]string{"httpd", "-DFOREGROUND"}, p.Args[1:]...))
}
