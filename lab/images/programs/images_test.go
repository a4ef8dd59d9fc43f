package programs

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// Every image's entrypoint and command resolve to its programs, each
// program has its file in the image, and references name images as a
// registry does.
func TestImagesAreWhole(t *testing.T) {
	t.Parallel()
	if got := Names(); !slices.Equal(got, []string{"httpd", "kubelab/app", "nginx", "redis"}) {
		t.Fatalf("Names() = %v", got)
	}
	for _, name := range Names() {
		img, _ := Lookup(name)
		argv := append(append([]string{}, img.Entrypoint...), img.Cmd...)
		if _, ok := Program(name, argv[0]); !ok {
			t.Errorf("%s: %q is not one of its programs", name, argv[0])
		}
		files := Files(name)
		for file := range img.Programs {
			fi, err := fs.Stat(files, strings.TrimPrefix(file, "/"))
			if err != nil || fi.Mode().Perm() != 0o755 {
				t.Errorf("%s: %s in its files: %v %v", name, file, fi, err)
			}
		}
		if img.VersionEnv == "" || !slices.ContainsFunc(img.Env, func(kv string) bool { return strings.HasPrefix(kv, img.VersionEnv+"=") }) {
			t.Errorf("%s: version variable %q not in %v", name, img.VersionEnv, img.Env)
		}
	}
	for _, ref := range []string{"nginx", "nginx:1.27", "docker.io/library/nginx:1.27-alpine", "nginx@sha256:0123", "kubelab/app:v2", "docker.io/kubelab/app:broken"} {
		if _, ok := Lookup(ref); !ok {
			t.Errorf("Lookup(%q) found nothing", ref)
		}
	}
	if _, ok := Lookup("perl:5.34"); ok {
		t.Error("perl is not an image of this package")
	}
	passwd, err := fs.ReadFile(Files("nginx:1.27"), "etc/passwd")
	if err != nil || !strings.Contains(string(passwd), "nginx:x:101:101:") {
		t.Errorf("nginx's /etc/passwd: %v\n%s", err, passwd)
	}
	if target, err := fs.ReadLink(Files("nginx"), "var/log/nginx/access.log"); err != nil || target != "/dev/stdout" {
		t.Errorf("nginx's access.log links to %q (%v)", target, err)
	}
	if _, ok := Program("nginx", "redis-server"); ok {
		t.Error("nginx's image runs redis-server")
	}
}
