package programs

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/inmem"
)

func fmtSscanf(s string, uid, gid *int) (int, error) { return fmt.Sscanf(s, "%d:%d", uid, gid) }

// The image as it comes: the entrypoint configures, nginx serves the
// welcome page on :80 and logs as the official image does.
func TestNginxServesTheWelcomePage(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	b := runImage(t, n, "10.244.1.5", "nginx", imageFS(t, "nginx"), 0)
	waitFor(t, b.stderr(), "start worker process")
	resp, body := get(t, client(n), "http://10.244.1.5/")
	if resp.StatusCode != 200 || body != nginxIndex || resp.Header.Get("Server") != "nginx/"+nginxDefaultVer || resp.Header.Get("Content-Type") != "text/html" {
		t.Fatalf("GET / = %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	for _, line := range []string{
		"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
		"10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
		"/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
		"/docker-entrypoint.sh: Configuration complete; ready for start up",
	} {
		if !strings.Contains(b.stdout().String(), line+"\n") {
			t.Errorf("no %q in stdout:\n%s", line, b.stdout())
		}
	}
	if conf, _ := b.fs.ReadFile("/etc/nginx/conf.d/default.conf"); !strings.Contains(string(conf), "listen       80;\n    listen  [::]:80;") {
		t.Errorf("default.conf:\n%s", conf)
	}
	access := regexp.MustCompile(`(?m)^10\.244\.9\.9 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET / HTTP/1\.1" 200 615 "-" "Go-http-client/1\.1" "-"$`)
	if !b.stdout().WaitFor("GET / HTTP/1.1", 5*time.Second) || !access.MatchString(b.stdout().String()) {
		t.Errorf("no access log line in the combined format:\n%s", b.stdout())
	}
	notice := regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: nginx/` + regexp.QuoteMeta(nginxDefaultVer) + `$`)
	if !notice.MatchString(b.stderr().String()) {
		t.Errorf("no start-up notice:\n%s", b.stderr())
	}
	// A missing page: nginx's 404 page and an error log line.
	resp, body = get(t, client(n), "http://10.244.1.5/nope")
	if resp.StatusCode != 404 || body != nginxPage(404, nginxDefaultVer) || !strings.Contains(body, "<center><h1>404 Not Found</h1></center>") {
		t.Errorf("GET /nope = %d %q", resp.StatusCode, body)
	}
	waitFor(t, b.stderr(), `[error] 29#29: *2 open() "/usr/share/nginx/html/nope" failed (2: No such file or directory), client: 10.244.9.9, server: localhost, request: "GET /nope HTTP/1.1", host: "10.244.1.5"`)
	// Stopped (the image's STOPSIGNAL, SIGQUIT): a graceful exit 0.
	if code, ok := b.run.Stop(10 * time.Second); !ok || code != 0 {
		t.Fatalf("stop: exit %d (%v)", code, ok)
	}
	if !strings.HasSuffix(b.stderr().String(), "[notice] 1#1: exit\n") || !strings.Contains(b.stderr().String(), "signal 3 (SIGQUIT) received, shutting down") {
		t.Errorf("stop lines:\n%s", b.stderr())
	}
	if _, err := client(n).Get("http://10.244.1.5/"); err == nil {
		t.Error("a stopped nginx still answers")
	}
}

// Run as user 101 from the start (securityContext.runAsUser), the real
// image cannot make its cache directories and exits 1.
func TestNginxAsUser101FailsAsTheRealOne(t *testing.T) {
	t.Parallel()
	b := runImage(t, inmem.NewMemNet(), "10.244.1.5", "nginx", imageFS(t, "nginx"), 101)
	code, ok := b.run.Wait(10 * time.Second)
	if !ok || code != 1 {
		t.Fatalf("exit %d (%v)\n%s", code, ok, b.stderr())
	}
	for _, want := range []string{
		`nginx: [warn] the "user" directive makes sense only if the master process runs with super-user privileges, ignored in /etc/nginx/nginx.conf:2`,
		`nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (13: Permission denied)`,
		`[emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (13: Permission denied)`,
	} {
		if !strings.Contains(b.stderr().String(), want) {
			t.Errorf("no %q in:\n%s", want, b.stderr())
		}
	}
	if !strings.Contains(b.stdout().String(), "10-listen-on-ipv6-by-default.sh: info: can not modify /etc/nginx/conf.d/default.conf (read-only file system?)") {
		t.Errorf("stdout:\n%s", b.stdout())
	}
}

// Port 80 taken by another container of the pod: nginx tries five times,
// then exits 1 with the real lines.
func TestNginxPortTakenInThePod(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	ln, err := n.Pod("10.244.1.5").Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	b := runImage(t, n, "10.244.1.5", "nginx", imageFS(t, "nginx"), 0)
	code, ok := b.run.Wait(15 * time.Second)
	if !ok || code != 1 {
		t.Fatalf("exit %d (%v)\n%s", code, ok, b.stderr())
	}
	errs := b.stderr().String()
	if strings.Count(errs, "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n") != nginxBindTries ||
		!strings.HasSuffix(errs, "nginx: [emerg] still could not bind()\n") || !strings.Contains(errs, "bind() to [::]:80 failed (98: Address already in use)") {
		t.Errorf("stderr:\n%s", errs)
	}
}

// A ConfigMap's default.conf (read-only): another port and root, a
// return, a proxy to a Service; -t checks it, -s reload applies a change.
func TestNginxReadsItsConfiguration(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	backend, err := n.Pod("10.244.2.2").Listen("tcp", ":8080")
	if err != nil {
		t.Fatal(err)
	}
	api := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "api saw %s host=%s", r.URL.Path, r.Host)
	})}
	go func() { _ = api.Serve(backend) }()
	t.Cleanup(func() { _ = api.Close() })
	n.AddService("api", 80, 8080, "10.244.2.2")
	fs := imageFS(t, "nginx")
	conf := `server {
    listen 8080;
    root /data/www;
    location = /health { return 200 "ok\n"; }
    location /old { return 301 /new; }
    location /api/ { proxy_pass http://api/; }
}
`
	if err := fs.WriteFile("/etc/nginx/conf.d/default.conf", []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.ReadOnly("/etc/nginx/conf.d"); err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile("/data/www/index.html", []byte("<h1>shop</h1>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := runImage(t, n, "10.244.1.5", "nginx", fs, 0)
	waitFor(t, b.stderr(), "start worker process")
	if !strings.Contains(b.stdout().String(), "can not modify /etc/nginx/conf.d/default.conf (read-only file system?)") {
		t.Errorf("stdout:\n%s", b.stdout())
	}
	c := client(n)
	for path, want := range map[string]string{"/": "<h1>shop</h1>\n", "/health": "ok\n", "/api/items": "api saw /items host=api"} {
		if resp, body := get(t, c, "http://10.244.1.5:8080"+path); resp.StatusCode != 200 || body != want {
			t.Errorf("GET %s = %d %q, want %q", path, resp.StatusCode, body, want)
		}
	}
	if resp, _ := get(t, c, "http://10.244.1.5:8080/old"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/new" {
		t.Errorf("GET /old = %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := c.Get("http://10.244.1.5:80/"); err == nil {
		t.Error("nginx listens on 80 with a configuration that says 8080")
	}
	if _, errOut, code := b.exec(t, "nginx", "nginx", "-t"); code != 0 || errOut != "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n" {
		t.Errorf("nginx -t: exit %d %q", code, errOut)
	}
	if _, errOut, code := b.exec(t, "nginx", "nginx", "-v"); code != 0 || errOut != "nginx version: nginx/"+nginxDefaultVer+"\n" {
		t.Errorf("nginx -v: exit %d %q", code, errOut)
	}
	// A new index and a reload: served at once.
	if err := fs.WriteFile("/srv/index.html", []byte("v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs2 := strings.Replace(conf, "root /data/www;", "root /srv;", 1)
	if err := fs.WriteFile("/etc/nginx/conf.d/other.conf", []byte(""), 0o644); err == nil {
		t.Fatal("wrote into a read-only mount")
	}
	if err := fs.WriteFile("/etc/nginx/next.d/default.conf", []byte(fs2), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile("/etc/nginx/nginx.conf", []byte(strings.Replace(nginxMainConf, "include /etc/nginx/conf.d/*.conf;", "include /etc/nginx/next.d/*.conf;", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := b.exec(t, "nginx", "nginx", "-s", "reload"); code != 0 {
		t.Fatalf("nginx -s reload: exit %d %q", code, errOut)
	}
	waitFor(t, b.stderr(), "signal 1 (SIGHUP) received from")
	waitFor(t, b.stderr(), "start worker process 30")
	if resp, body := get(t, c, "http://10.244.1.5:8080/"); resp.StatusCode != 200 || body != "v2\n" {
		t.Errorf("after the reload GET / = %d %q", resp.StatusCode, body)
	}
	// A broken configuration: -t says where.
	if err := fs.WriteFile("/etc/nginx/next.d/default.conf", []byte("server {\n    lisen 80;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := b.exec(t, "nginx", "nginx", "-t"); code != 1 || !strings.HasPrefix(errOut, `nginx: [emerg] unknown directive "lisen" in /etc/nginx/next.d/default.conf:2`) {
		t.Errorf("nginx -t of a typo: exit %d %q", code, errOut)
	}
}

// A proxy_pass to a name that does not resolve stops nginx at start-up
// (a Service not created yet): the real error, exit 1.
func TestNginxUpstreamThatDoesNotResolve(t *testing.T) {
	t.Parallel()
	fs := imageFS(t, "nginx")
	if err := fs.WriteFile("/etc/nginx/conf.d/default.conf", []byte("server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:8080;\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := runImage(t, inmem.NewMemNet(), "10.244.1.5", "nginx", fs, 0)
	code, ok := b.run.Wait(10 * time.Second)
	if !ok || code != 1 || !strings.Contains(b.stderr().String(), `nginx: [emerg] host not found in upstream "backend:8080" in /etc/nginx/conf.d/default.conf:4`) {
		t.Fatalf("exit %d (%v)\n%s", code, ok, b.stderr())
	}
}
