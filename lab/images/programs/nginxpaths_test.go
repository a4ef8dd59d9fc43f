package programs

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/sandbox/inmem"
)

// The paths a learner tries against the image's own configuration.
func TestNginxAnswersAsTheImage(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	fs := imageFS(t, "nginx")
	for name, data := range map[string]string{"/usr/share/nginx/html/docs/index.html": "docs\n", "/usr/share/nginx/html/empty/.keep": ""} {
		if err := fs.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.WriteFile("/etc/nginx/conf.d/api.conf", []byte("server {\n  listen 8081;\n  error_page 502 /50x.html;\n  location = /50x.html { root /usr/share/nginx/html; }\n  location / { proxy_pass http://10.244.1.5:9000; }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := runImage(t, n, "10.244.1.5", "nginx", fs, 0)
	waitFor(t, b.stderr(), "start worker process")
	c := client(n)
	cases := []struct {
		url, want string
		status    int
		location  string
	}{
		{"http://10.244.1.5/docs", "", 301, "http://10.244.1.5/docs/"},
		{"http://10.244.1.5/docs/", "docs\n", 200, ""},
		{"http://10.244.1.5/empty/", nginxPage(403, nginxDefaultVer), 403, ""},
		{"http://10.244.1.5/50x.html", nginx50x, 200, ""},
		{"http://10.244.1.5:8081/anything", nginx50x, 502, ""},
	}
	for _, tc := range cases {
		resp, body := get(t, c, tc.url)
		if resp.StatusCode != tc.status || tc.want != "" && body != tc.want || resp.Header.Get("Location") != tc.location {
			t.Errorf("GET %s = %d %q (Location %q), want %d %q", tc.url, resp.StatusCode, body, resp.Header.Get("Location"), tc.status, tc.want)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, "http://10.244.1.5/", nil)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(nginxIndex)) {
		t.Errorf("HEAD / = %v %v", resp, err)
	}
	waitFor(t, b.stderr(), `directory index of "/usr/share/nginx/html/empty/" is forbidden`)
	waitFor(t, b.stderr(), `connect() failed (111: Connection refused) while connecting to upstream, client: 10.244.9.9, server: , request: "GET /anything HTTP/1.1", upstream: "http://10.244.1.5:9000/anything", host: "10.244.1.5:8081"`)
	if strings.Contains(b.stderr().String(), "[emerg]") {
		t.Errorf("stderr:\n%s", b.stderr())
	}
}
