package tools

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// dialer connects through the pod's network only: names resolve with
// Net.LookupHost, connections with Net.Dial; it notes the address it
// reached, for wget's "Connecting to" line.
type dialer struct {
	c       *cmd
	reached string
	quiet   bool
	host    string
}

// resolve resolves host (an IP is itself) through the pod's network.
func (d *dialer) resolve(ctx context.Context, host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return host, nil
	}
	if ip := hostsLookup(d.c, host); ip != "" {
		return ip, nil // /etc/hosts first, as the C library
	}
	if d.c.p.Net == nil {
		return "", errBadAddress
	}
	addrs, err := d.c.p.Net.LookupHost(ctx, host)
	if err != nil || len(addrs) == 0 {
		return "", errBadAddress
	}
	return addrs[0], nil
}

var errBadAddress = errors.New("bad address")

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	ip, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	d.reached = net.JoinHostPort(ip, port)
	if !d.quiet {
		fmt.Fprintf(d.c.p.Stderr, "Connecting to %s (%s)\n", d.host, d.reached)
	}
	if d.c.p.Net == nil {
		return nil, errRefused(ip)
	}
	conn, err := d.c.p.Net.Dial(ctx, "tcp", d.reached)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errRefused(ip)
	}
	return conn, nil
}

// connectError is busybox's "can't connect to remote host (IP): ...".
type connectError struct{ ip string }

func (e connectError) Error() string {
	return fmt.Sprintf("can't connect to remote host (%s): Connection refused", e.ip)
}

func errRefused(ip string) error { return connectError{ip} }

func wget(c *cmd, args []string) int {
	f, urls, ok := c.getopt(args, "qO:T:t:SsU:Ycp:P:", map[string]byte{"quiet": 'q', "output-document=": 'O',
		"timeout=": 'T', "tries=": 't', "spider": 's', "server-response": 'S', "user-agent=": 'U', "header=": 'H',
		"no-check-certificate": 'k', "continue": 'c', "directory-prefix=": 'P', "post-data=": 'D', "method=": 'M'}, false)
	if !ok || len(urls) == 0 {
		return c.usage()
	}
	quiet := f.has('q')
	timeout := 15 * time.Minute
	if v, ok := f.val('T'); ok {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 {
			timeout = time.Duration(n * float64(time.Second))
		}
	}
	status := 0
	for _, raw := range urls {
		if c.stopped() {
			return 1
		}
		if !strings.Contains(raw, "://") {
			raw = "http://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
			c.errf("not an http or ftp url: %s", raw)
			status = 1
			continue
		}
		if c.wgetOne(f, u, quiet, timeout) != nil {
			status = 1
		}
	}
	return status
}

func (c *cmd) wgetOne(f flags, u *url.URL, quiet bool, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	d := &dialer{c: c, quiet: quiet, host: u.Host}
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		d.host = u.Hostname()
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	transport := &http.Transport{
		Proxy:             nil, // never the host's proxy settings
		DialContext:       d.dial,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // busybox checks no certificate (and the host's roots are never read)
		DisableKeepAlives: true,
	}
	client := &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 20 {
			return errors.New("too many redirections")
		}
		if !quiet {
			fmt.Fprintf(c.p.Stderr, "Connecting to %s (%s)\n", req.URL.Host, req.URL.Host)
		}
		return nil
	}}
	method := "GET"
	var body io.Reader
	if f.has('s') {
		method = "HEAD"
	}
	if data, ok := f.val('D'); ok {
		method, body = "POST", strings.NewReader(data)
	}
	if m, ok := f.val('M'); ok {
		method = strings.ToUpper(m)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		c.errf("%v", err)
		return err
	}
	req.Header.Set("User-Agent", "Wget")
	if ua, ok := f.val('U'); ok {
		req.Header.Set("User-Agent", ua)
	}
	for _, h := range f.vals['H'] {
		if k, v, ok := strings.Cut(h, ":"); ok {
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := client.Do(req)
	if err != nil {
		var ce connectError
		switch {
		case errors.Is(err, errBadAddress):
			c.errf("bad address '%s'", u.Hostname())
		case errors.As(err, &ce):
			c.errf("%s", ce.Error())
		case errors.Is(err, context.DeadlineExceeded):
			c.errf("download timed out")
		case c.stopped():
		default:
			c.errf("error getting response: %s", sandbox.Strerror(errors.Unwrap(err)))
		}
		return err
	}
	defer resp.Body.Close()
	if f.has('S') {
		fmt.Fprintf(c.p.Stderr, "  %s %s\n", resp.Proto, resp.Status)
		for k, vs := range resp.Header {
			for _, v := range vs {
				fmt.Fprintf(c.p.Stderr, "  %s: %s\n", k, v)
			}
		}
	}
	if resp.StatusCode >= 400 {
		c.errf("server returned error: %s %s", resp.Proto, resp.Status)
		return errors.New(resp.Status)
	}
	if f.has('s') {
		if !quiet {
			fmt.Fprintln(c.p.Stderr, "remote file exists")
		}
		return nil
	}
	return c.save(f, u, resp, quiet, ctx)
}

// save writes the body to -O's file (- for stdout) or the URL's name.
func (c *cmd) save(f flags, u *url.URL, resp *http.Response, quiet bool, ctx context.Context) error {
	name, set := f.val('O')
	if !set {
		name = path.Base(u.Path)
		if name == "/" || name == "." || name == "" {
			name = "index.html"
		}
		if dir, ok := f.val('P'); ok {
			name = path.Join(dir, name)
		}
	}
	var out io.Writer
	shown := name
	if name == "-" {
		c.out.Flush()
		out, shown = c.p.Stdout, "-"
		if !quiet {
			fmt.Fprintln(c.p.Stderr, "writing to stdout")
		}
	} else {
		if !quiet {
			fmt.Fprintf(c.p.Stderr, "saving to '%s'\n", name)
		}
		fl, err := c.p.FS.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			c.errf("can't open '%s': %s", name, sandbox.Strerror(err))
			return err
		}
		defer fl.Close()
		out = fl
	}
	n, err := io.Copy(out, ctxReader{ctx, resp.Body})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			c.errf("download timed out")
		} else if !c.stopped() {
			c.errf("error getting response: %s", sandbox.Strerror(err))
		}
		return err
	}
	if !quiet {
		label := path.Base(shown)
		if len(label) > 20 {
			label = label[:20]
		}
		fmt.Fprintf(c.p.Stderr, "%-20s 100%% |%s| %5s  0:00:00 ETA\n", label, strings.Repeat("*", 32), human(n))
		if name == "-" {
			fmt.Fprintln(c.p.Stderr, "written to stdout")
		} else {
			fmt.Fprintf(c.p.Stderr, "'%s' saved\n", name)
		}
	}
	return nil
}
