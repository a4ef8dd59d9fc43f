package embedded_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/cluster/clustertest"
)

func TestEveryListenerIsOnLoopback(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	u, err := url.Parse(env.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := os.ReadFile(env.Provider.Layout().PidFile())
	if err != nil {
		t.Fatal(err)
	}
	socks := listeners(t, strings.TrimSpace(string(pid)))
	if len(socks) < 3 {
		t.Fatalf("the cluster process listens on %v; want the API server, etcd and the node agent at least", socks)
	}
	sawAPI := false
	for _, s := range socks {
		if !strings.HasPrefix(s, "127.0.0.1:") {
			t.Errorf("the cluster process listens on %s, want loopback only", s)
		}
		sawAPI = sawAPI || s == "127.0.0.1:"+u.Port()
	}
	if !sawAPI {
		t.Errorf("API port %s not among %v", u.Port(), socks)
	}
}

// listeners returns "addr:port" of every listening TCP socket process pid owns.
func listeners(t *testing.T, pid string) []string {
	t.Helper()
	owned := map[string]bool{}
	fds, err := os.ReadDir("/proc/" + pid + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink("/proc/" + pid + "/fd/" + fd.Name())
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			owned[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var out []string
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 || fields[3] != "0A" || !owned[fields[9]] { // 0A: LISTEN
				continue
			}
			addr, portHex, _ := strings.Cut(fields[1], ":")
			port, _ := strconv.ParseInt(portHex, 16, 32)
			out = append(out, fmt.Sprintf("%s:%d", decodeAddr(addr), port))
		}
		f.Close()
	}
	return out
}

func decodeAddr(hex string) string {
	switch hex {
	case "0100007F":
		return "127.0.0.1"
	case "00000000":
		return "0.0.0.0"
	case "00000000000000000000000001000000":
		return "::1"
	}
	return hex
}

func TestAnonymousRequestsAreRejected(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(filepath.Join(env.Provider.Layout().PKIDir(), "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	for _, path := range []string{"/api/v1/namespaces", "/version", "/healthz"} {
		resp, err := client.Get(env.Config.Host + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without a client certificate: %d, want 401", path, resp.StatusCode)
		}
	}
}

func TestSecretsAreOwnerOnly(t *testing.T) {
	t.Parallel()
	env := clustertest.Cluster(t)
	l := env.Provider.Layout()
	files := []string{l.Kubeconfig(), l.Meta()}
	keys, _ := filepath.Glob(filepath.Join(l.PKIDir(), "*"))
	confs, _ := filepath.Glob(filepath.Join(l.KubeconfigDir(), "*"))
	files = append(append(files, keys...), confs...)
	if len(keys) < 10 {
		t.Fatalf("only %d pki files found", len(keys))
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
	for _, d := range []string{l.Dir, l.PKIDir()} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group or others", d, fi.Mode().Perm())
		}
	}
}
