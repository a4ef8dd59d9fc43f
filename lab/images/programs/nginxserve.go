package programs

import (
	"context"
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
	"sync"
	"sync/atomic"
	"time"
)

// nginxRequestCPU is the CPU one request costs the worker.
const nginxRequestCPU = 150 * time.Microsecond

// nginxServer is the worker's listeners and HTTP servers.
type nginxServer struct {
	n       *nginx
	cfg     atomic.Pointer[nginxConfig]
	mu      sync.Mutex
	ports   map[int]*http.Server
	lns     map[int]net.Listener
	conns   atomic.Int64 // request numbers for the error log (*N)
	stopped chan struct{}
}

// bindAddr is the address a listen asks the pod's network for.
func bindAddr(l listen) string {
	host := l.host
	if host == "" || host == "0.0.0.0" || host == "[::]" {
		host = ""
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(l.port))
}

// bind takes every port of the configuration, trying as nginx does (five
// times, half a second apart) while one is taken.
func (n *nginx) bind(ctx context.Context, cfg *nginxConfig) (*nginxServer, error) {
	s := &nginxServer{n: n, ports: map[int]*http.Server{}, lns: map[int]net.Listener{}, stopped: make(chan struct{})}
	s.cfg.Store(cfg)
	for try := 0; ; try++ {
		failed := false
		for _, l := range cfg.listenOrder() {
			if s.lns[l.port] != nil {
				continue
			}
			ln, err := n.p.Net.Listen("tcp", bindAddr(l))
			if err != nil {
				failed = true
				for _, shown := range cfg.addrsOf(l.port) {
					n.startupf("emerg", "bind() to %s failed (%s)", shown, errnoText(err))
				}
				continue
			}
			s.lns[l.port] = ln
		}
		if !failed {
			return s, nil
		}
		if try == nginxBindTries-1 || !sleepCtx(ctx.Done(), nginxBindRetryWait) {
			n.startupf("emerg", "still could not bind()")
			s.close()
			return nil, errors.New("still could not bind()")
		}
	}
}

// listenOrder is one listen per port, in the configuration's order.
func (cfg *nginxConfig) listenOrder() []listen {
	seen := map[int]bool{}
	var out []listen
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if !seen[l.port] {
				seen[l.port] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// addrsOf are the addresses of port as nginx names them ("0.0.0.0:80", "[::]:80").
func (cfg *nginxConfig) addrsOf(port int) []string {
	var out []string
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if a := l.String(); l.port == port && !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (s *nginxServer) serve() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for port, ln := range s.lns {
		if s.ports[port] != nil {
			continue
		}
		srv := &http.Server{Handler: http.HandlerFunc(s.handle), ReadHeaderTimeout: 60 * time.Second}
		s.ports[port] = srv
		go func() { _ = srv.Serve(ln) }()
	}
}

func (s *nginxServer) update(cfg *nginxConfig) { s.cfg.Store(cfg) }

// rebind takes the ports a reloaded configuration adds and frees the ones
// it dropped.
func (s *nginxServer) rebind(cfg *nginxConfig) error {
	want := map[int]bool{}
	var errs []error
	for _, l := range cfg.listenOrder() {
		want[l.port] = true
		s.mu.Lock()
		have := s.lns[l.port] != nil
		s.mu.Unlock()
		if have {
			continue
		}
		ln, err := s.n.p.Net.Listen("tcp", bindAddr(l))
		if err != nil {
			errs = append(errs, fmt.Errorf("bind() to %s failed (%s)", l, errnoText(err)))
			continue
		}
		s.mu.Lock()
		s.lns[l.port] = ln
		s.mu.Unlock()
	}
	s.mu.Lock()
	for port, srv := range s.ports {
		if !want[port] {
			_ = srv.Close()
			delete(s.ports, port)
			delete(s.lns, port)
		}
	}
	s.mu.Unlock()
	s.serve()
	return errors.Join(errs...)
}

// shutdown finishes the requests under way, then closes.
func (s *nginxServer) shutdown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.ports {
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
	}
	for _, ln := range s.lns {
		_ = ln.Close()
	}
}

func (s *nginxServer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, srv := range s.ports {
		_ = srv.Close()
	}
	for _, ln := range s.lns {
		_ = ln.Close()
	}
}

// vserverFor picks the server block of a request: by port, then name,
// else the port's default server (default_server, or the first).
func (cfg *nginxConfig) vserverFor(port int, host string) *vserver {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	var first, def *vserver
	for _, s := range cfg.servers {
		for _, l := range s.listens {
			if l.port != port {
				continue
			}
			if first == nil {
				first = s
			}
			if l.def && def == nil {
				def = s
			}
			if contains(s.names, host) {
				return s
			}
		}
	}
	if def != nil {
		return def
	}
	return first
}

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

func (q *nginxRequest) errorf(format string, args ...any) {
	client, _, _ := net.SplitHostPort(q.r.RemoteAddr)
	server := ""
	if len(q.vs.names) > 0 {
		server = q.vs.names[0]
	}
	q.s.n.logf("error", nginxWorkerPID, "*%d %s, client: %s, server: %s, request: \"%s %s %s\", host: %q",
		q.num, fmt.Sprintf(format, args...), client, server, q.r.Method, q.r.RequestURI, q.r.Proto, q.r.Host)
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
			q.errorf("connect() failed (%s) while connecting to upstream, upstream: \"http://%s%s\"", errnoText(err), host, r.URL.Path)
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
	if status == http.StatusMovedPermanently || status == http.StatusFound {
		h.Set("Connection", "keep-alive")
	}
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
