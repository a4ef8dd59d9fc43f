package programs

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/inmem"
)

func TestHttpdServesItWorks(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	fs := imageFS(t, "httpd")
	if err := fs.WriteFile("/etc/hosts", []byte("127.0.0.1\tlocalhost\n10.244.1.6\tweb-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := runImage(t, n, "10.244.1.6", "httpd", fs, 0)
	waitFor(t, b.stderr(), "AH00094: Command line: 'httpd -D FOREGROUND'")
	resp, body := get(t, client(n), "http://10.244.1.6/")
	if resp.StatusCode != 200 || body != "<html><body><h1>It works!</h1></body></html>\n" || resp.Header.Get("Server") != "Apache/"+httpdDefaultVer+" (Unix)" {
		t.Fatalf("GET / = %d %v %q", resp.StatusCode, resp.Header, body)
	}
	fqdn := "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.1.6. Set the 'ServerName' directive globally to suppress this message\n"
	if strings.Count(b.stderr().String(), fqdn) != 2 || !regexp.MustCompile(`(?m)^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[mpm_event:notice\] \[pid 1:tid 1\] AH00489: Apache/`+regexp.QuoteMeta(httpdDefaultVer)+` \(Unix\) configured -- resuming normal operations$`).MatchString(b.stderr().String()) {
		t.Errorf("start-up lines:\n%s", b.stderr())
	}
	if resp, body := get(t, client(n), "http://10.244.1.6/nope"); resp.StatusCode != 404 || !strings.Contains(body, "<p>The requested URL was not found on this server.</p>") {
		t.Errorf("GET /nope = %d %q", resp.StatusCode, body)
	}
	access := regexp.MustCompile(`(?m)^10\.244\.9\.9 - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET / HTTP/1\.1" 200 45$`)
	if !b.stdout().WaitFor("GET /nope", 5*time.Second) || !access.MatchString(b.stdout().String()) || !strings.Contains(b.stdout().String(), `"GET /nope HTTP/1.1" 404 196`) {
		t.Errorf("access log:\n%s", b.stdout())
	}
	if code, ok := b.run.Stop(10 * time.Second); !ok || code != 0 || !strings.Contains(b.stderr().String(), "AH00492: caught SIGWINCH, shutting down gracefully") {
		t.Errorf("stop: exit %d (%v)\n%s", code, ok, b.stderr())
	}
}

func TestHttpdFailures(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	ln, err := n.Pod("10.244.1.6").Listen("tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	clash := runImage(t, n, "10.244.1.6", "httpd", imageFS(t, "httpd"), 0)
	if code, ok := clash.run.Wait(5 * time.Second); !ok || code != 1 ||
		!strings.Contains(clash.stderr().String(), "(98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:80\nno listening sockets available, shutting down\nAH00015: Unable to open logs\n") {
		t.Errorf("port taken: exit %d (%v)\n%s", code, ok, clash.stderr())
	}
	_ = ln.Close()
	// As a user who may not write its logs directory: no pid file, exit 1.
	user := runImage(t, n, "10.244.1.7", "httpd", imageFS(t, "httpd"), 1000)
	if code, ok := user.run.Wait(5 * time.Second); !ok || code != 1 || !strings.Contains(user.stderr().String(), "AH00100: httpd: could not log pid to file /usr/local/apache2/logs/httpd.pid") {
		t.Errorf("as user 1000: exit %d (%v)\n%s", code, ok, user.stderr())
	}
}
