package programs

import "github.com/kubelab/kubelab/lab/sandbox"

// The official httpd image: root runs httpd-foreground in
// /usr/local/apache2, the children serve as www-data (33); port 80; logs
// to /proc/self/fd/1 and 2; STOPSIGNAL SIGWINCH.
func init() {
	progs := map[string]sandbox.Program{
		"/usr/local/bin/httpd-foreground": httpdForeground,
		httpdPrefix + "/bin/httpd":        Httpd,
	}
	l := newLayer()
	l.file("etc/passwd", debianPasswd)
	l.file("etc/group", debianGroup)
	l.dir("usr/local/apache2", 0o755)
	l.file("usr/local/apache2/htdocs/index.html", "<html><body><h1>It works!</h1></body></html>\n")
	l.file("usr/local/apache2/conf/httpd.conf", httpdMainConf)
	l.dir("usr/local/apache2/logs", 0o755)
	l.programs(progs)
	register(&Image{
		Name:       "httpd",
		Cmd:        []string{"httpd-foreground"},
		WorkingDir: httpdPrefix,
		Env: []string{"PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"HTTPD_PREFIX=" + httpdPrefix, "HTTPD_VERSION=" + httpdDefaultVer, "HTTPD_PATCHES="},
		VersionEnv: "HTTPD_VERSION",
		Ports:      []int{80},
		StopSignal: "SIGWINCH",
		Programs:   progs,
		Owned:      map[string]string{httpdPrefix: "33:33"},
		files:      l.fs,
	})
}

// httpdMainConf is the image's conf/httpd.conf, its comments left out.
const httpdMainConf = `ServerRoot "/usr/local/apache2"
Listen 80
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule log_config_module modules/mod_log_config.so
LoadModule unixd_module modules/mod_unixd.so
LoadModule dir_module modules/mod_dir.so
LoadModule autoindex_module modules/mod_autoindex.so
<IfModule unixd_module>
User www-data
Group www-data
</IfModule>
ServerAdmin you@example.com
<Directory />
    AllowOverride none
    Require all denied
</Directory>
DocumentRoot "/usr/local/apache2/htdocs"
<Directory "/usr/local/apache2/htdocs">
    Options Indexes FollowSymLinks
    AllowOverride None
    Require all granted
</Directory>
<IfModule dir_module>
    DirectoryIndex index.html
</IfModule>
<Files ".ht*">
    Require all denied
</Files>
ErrorLog /proc/self/fd/2
LogLevel warn
<IfModule log_config_module>
    LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
    LogFormat "%h %l %u %t \"%r\" %>s %b" common
    CustomLog /proc/self/fd/1 common
</IfModule>
<IfModule mime_module>
    TypesConfig conf/mime.types
</IfModule>
`
