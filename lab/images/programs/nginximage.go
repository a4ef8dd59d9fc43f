package programs

import (
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// The official nginx image (Debian variant): root runs the master, the
// workers are user nginx (101); /docker-entrypoint.sh configures, then
// `nginx -g "daemon off;"`; port 80; logs are symlinks to /dev/stdout and
// /dev/stderr; STOPSIGNAL SIGQUIT.
func init() {
	progs := map[string]sandbox.Program{
		"/docker-entrypoint.sh": nginxEntrypoint,
		"/usr/sbin/nginx":       Nginx,
		"/usr/sbin/nginx-debug": Nginx,
	}
	l := newLayer()
	l.file("etc/passwd", debianPasswd+"nginx:x:101:101:nginx user:/nonexistent:/bin/false\n")
	l.file("etc/group", debianGroup+"nginx:x:101:\n")
	l.file("etc/nginx/nginx.conf", nginxMainConf)
	l.file("etc/nginx/conf.d/default.conf", nginxDefaultConf)
	l.file("etc/nginx/mime.types", nginxMimeTypes)
	l.file("usr/share/nginx/html/index.html", nginxIndex)
	l.file("usr/share/nginx/html/50x.html", nginx50x)
	l.dir("var/cache/nginx", 0o755)
	l.dir("var/log/nginx", 0o755)
	l.link("var/log/nginx/access.log", "/dev/stdout")
	l.link("var/log/nginx/error.log", "/dev/stderr")
	l.dir("docker-entrypoint.d", 0o755)
	for _, s := range []string{"10-listen-on-ipv6-by-default.sh", "15-local-resolvers.envsh", "20-envsubst-on-templates.sh", "30-tune-worker-processes.sh"} {
		l.fs["docker-entrypoint.d/"+s] = &fstest.MapFile{Data: []byte("#!/bin/sh\n# run by kubelab's /docker-entrypoint.sh (lab/images/programs)\n"), Mode: 0o755}
	}
	l.programs(progs)
	register(&Image{
		Name:       "nginx",
		Entrypoint: []string{"/docker-entrypoint.sh"},
		Cmd:        []string{"nginx", "-g", "daemon off;"},
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"NGINX_VERSION=" + nginxDefaultVer, "NJS_VERSION=0.8.10", "NJS_RELEASE=1~bookworm", "PKG_RELEASE=1~bookworm", "DYNPKG_RELEASE=1~bookworm"},
		VersionEnv: "NGINX_VERSION",
		Ports:      []int{80},
		StopSignal: "SIGQUIT",
		Programs:   progs,
		files:      l.fs,
	})
}

const nginxMainConf = `
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
`

// nginxDefaultConf is default.conf as the package installs it (the
// entrypoint then adds the IPv6 listen).
const nginxDefaultConf = `server {
    listen       80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`

const nginxMimeTypes = `
types {
    text/html                                        html htm shtml;
    text/css                                         css;
    text/xml                                         xml;
    image/gif                                        gif;
    image/jpeg                                       jpeg jpg;
    application/javascript                           js;
    text/plain                                       txt;
    image/png                                        png;
    image/svg+xml                                    svg svgz;
    image/x-icon                                     ico;
    application/json                                 json;
    application/octet-stream                         bin exe dll;
}
`

const nginxIndex = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`

const nginx50x = `<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
`
