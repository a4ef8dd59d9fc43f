package programs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// record is a response writer that counts for the access log.
type record struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *record) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *record) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (s *nginxServer) handle(w http.ResponseWriter, r *http.Request) {
	s.n.p.Usage.CPU(nginxRequestCPU)
	rec := &record{ResponseWriter: w}
	rec.Header().Set("Server", "nginx/"+s.n.version)
	cfg := s.cfg.Load()
	port := 80
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			port, _ = strconv.Atoi(p)
		}
	}
	req := &nginxRequest{s: s, w: rec, r: r, vs: cfg.vserverFor(port, r.Host), cfg: cfg, num: s.conns.Add(1)}
	req.serve()
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	client, _, _ := net.SplitHostPort(r.RemoteAddr)
	s.n.outMu.Lock()
	fmt.Fprintf(s.n.p.Stdout, "%s - - [%s] %q %d %d %q %q \"-\"\n", client, time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"),
		r.Method+" "+r.RequestURI+" "+r.Proto, rec.status, rec.bytes, orDefault(r.Referer(), "-"), orDefault(r.UserAgent(), "-"))
	s.n.outMu.Unlock()
}

// nginxRequest is one request on its way through a server block.
type nginxRequest struct {
	s   *nginxServer
	w   *record
	r   *http.Request
	vs  *vserver
	cfg *nginxConfig
	num int64
}

func (q *nginxRequest) errorf(format string, args ...any) { q.errorUp("", format, args...) }

// errorUp is an error log line about the request, naming its upstream
// when it has one, in nginx's order.
func (q *nginxRequest) errorUp(upstream, format string, args ...any) {
	client, _, _ := net.SplitHostPort(q.r.RemoteAddr)
	server := ""
	if len(q.vs.names) > 0 {
		server = q.vs.names[0]
	}
	up := ""
	if upstream != "" {
		up = fmt.Sprintf(", upstream: %q", upstream)
	}
	q.s.n.logf("error", nginxWorkerPID, "*%d %s, client: %s, server: %s, request: \"%s %s %s\"%s, host: %q",
		q.num, fmt.Sprintf(format, args...), client, server, q.r.Method, q.r.RequestURI, q.r.Proto, up, q.r.Host)
}

func (q *nginxRequest) serve() {
	if q.vs == nil {
		q.page(http.StatusNotFound, nil)
		return
	}
	if q.vs.ret != nil {
		q.ret(q.vs.ret, nil)
		return
	}
	uri := path.Clean("/" + q.r.URL.Path)
	if strings.HasSuffix(q.r.URL.Path, "/") && uri != "/" {
		uri += "/"
	}
	loc := q.vs.find(uri)
	switch {
	case loc == nil:
		q.static(&location{root: q.vs.root, index: q.vs.index, errPages: q.vs.errPages}, uri)
	case loc.ret != nil:
		q.ret(loc.ret, loc)
	case loc.proxy != "":
		q.proxy(loc, uri)
	default:
		q.static(loc, uri)
	}
}

func (q *nginxRequest) ret(r *returnSpec, loc *location) {
	switch {
	case r.code >= 300 && r.code < 400 && r.text != "":
		q.w.Header().Set("Location", strings.ReplaceAll(strings.ReplaceAll(r.text, "$scheme", "http"), "$request_uri", q.r.RequestURI))
		q.page(r.code, loc)
	case r.text != "":
		q.w.Header().Set("Content-Type", "application/octet-stream") // default_type of the image's nginx.conf
		q.w.WriteHeader(r.code)
		_, _ = io.WriteString(q.w, strings.ReplaceAll(r.text, "$hostname", q.s.n.p.Hostname))
	default:
		q.page(r.code, loc)
	}
}

func (q *nginxRequest) static(loc *location, uri string) {
	if q.r.Method != http.MethodGet && q.r.Method != http.MethodHead {
		q.page(http.StatusMethodNotAllowed, loc)
		return
	}
	file := loc.file(uri)
	fsys := q.s.n.p.FS
	fi, err := fsys.Stat(file)
	if err == nil && fi.IsDir() {
		if !strings.HasSuffix(uri, "/") {
			q.w.Header().Set("Location", "http://"+q.r.Host+uri+"/")
			q.page(http.StatusMovedPermanently, loc)
			return
		}
		found := false
		for _, idx := range loc.index {
			if ifi, ierr := fsys.Stat(path.Join(file, idx)); ierr == nil && !ifi.IsDir() {
				file, fi, found = path.Join(file, idx), ifi, true
				break
			}
		}
		if !found {
			q.errorf("directory index of %q is forbidden", file)
			q.page(http.StatusForbidden, loc)
			return
		}
	}
	var f fs.File
	if err == nil {
		f, err = fsys.Open(file)
	}
	if err != nil {
		q.errorf("open() %q failed (%s)", file, errnoText(err))
		if errors.Is(err, fs.ErrPermission) {
			q.page(http.StatusForbidden, loc)
			return
		}
		q.page(http.StatusNotFound, loc)
		return
	}
	defer f.Close()
	h := q.w.Header()
	h.Set("Content-Type", mimeType(file))
	h.Set("ETag", fmt.Sprintf("\"%x-%x\"", fi.ModTime().Unix(), fi.Size()))
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(q.w, q.r, path.Base(file), fi.ModTime(), rs)
		return
	}
	data, _ := io.ReadAll(f)
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write(data)
}

func (q *nginxRequest) proxy(loc *location, uri string) {
	target, _ := url.Parse(loc.proxy)
	host := target.Host
	if servers := q.cfg.upstreams[host]; len(servers) > 0 {
		host = servers[int(q.num)%len(servers)]
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "80")
	}
	p := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", host
			if target.Path != "" { // proxy_pass with a URI: it replaces the location's prefix
				pr.Out.URL.Path = target.Path + strings.TrimPrefix(uri, loc.pattern)
				pr.Out.URL.RawPath = ""
			}
			pr.Out.Host = target.Host
		},
		Transport: &http.Transport{DialContext: q.s.n.p.Net.Dial, DisableKeepAlives: true, ResponseHeaderTimeout: 60 * time.Second},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			q.errorUp("http://"+host+r.URL.Path, "connect() failed (%s) while connecting to upstream", errnoText(err))
			q.page(http.StatusBadGateway, loc)
		},
	}
	p.ServeHTTP(q.w, q.r)
}

// page answers with status: the location's error_page if it has one, else
// nginx's own page.
func (q *nginxRequest) page(status int, loc *location) {
	pages := q.vs.errPagesOf(loc)
	if uri, ok := pages[status]; ok {
		l := q.vs.find(uri)
		if l == nil {
			l = &location{root: q.vs.root, index: q.vs.index}
		}
		if data, err := readFile(q.s.n.p.FS, l.file(uri)); err == nil {
			q.w.Header().Set("Content-Type", mimeType(uri))
			q.w.WriteHeader(status)
			_, _ = q.w.Write(data)
			return
		}
	}
	body := nginxPage(status, q.s.n.version)
	h := q.w.Header()
	h.Set("Content-Type", "text/html")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	q.w.WriteHeader(status)
	if q.r.Method != http.MethodHead {
		_, _ = io.WriteString(q.w, body)
	}
}

func (s *vserver) errPagesOf(loc *location) map[int]string {
	if loc != nil && loc.errPages != nil {
		return loc.errPages
	}
	return s.errPages
}

// nginxPage is nginx's built-in page for status.
func nginxPage(status int, version string) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx/" + version + "</center>\r\n</body>\r\n</html>\r\n"
}

// mimeType is the type nginx's mime.types gives a file's extension.
func mimeType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".shtml":
		return "text/html"
	case ".css":
		return "text/css"
	case ".js":
		return "application/javascript"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain"
	case ".xml":
		return "text/xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".svg", ".svgz":
		return "image/svg+xml"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}
