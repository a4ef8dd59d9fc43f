package programs

import (
	"io/fs"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// Image is what kubelab knows of a public image, as its registry has it:
// the config's user, entrypoint, command, working directory, environment,
// ports and stop signal, and the programs it holds.
type Image struct {
	Name       string   // repository: "nginx", "httpd", "redis"
	User       string   // the config's User: "" is root
	Entrypoint []string // the config's Entrypoint
	Cmd        []string // the config's Cmd
	WorkingDir string   // "" is /
	// Env is the config's environment. It holds the version variable of
	// one release (VersionEnv); the image catalogue sets it to its tag's.
	Env        []string
	VersionEnv string
	Ports      []int  // ExposedPorts (TCP)
	StopSignal string // what the runtime sends to stop it (the sandbox: ctx cancel)
	// Programs are the image's executables by absolute path; Files holds
	// a placeholder file (mode 0755) at each path.
	Programs map[string]sandbox.Program
	// Owned are paths of Files that are not root's: path -> "uid:gid".
	Owned map[string]string
	files fstest.MapFS
}

var images = map[string]*Image{}

func register(img *Image) { images[img.Name] = img }

// Names are the images this package has, sorted.
func Names() []string {
	out := make([]string, 0, len(images))
	for n := range images {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// repo is the repository of an image reference: "nginx" of
// "docker.io/library/nginx:1.27@sha256:...".
func repo(image string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	image = strings.TrimPrefix(image, "docker.io/")
	return strings.TrimPrefix(image, "library/")
}

// Lookup is the image of a reference ("nginx", "nginx:1.27",
// "docker.io/library/nginx:1.27-alpine"): ok is false for one this
// package does not have.
func Lookup(image string) (Image, bool) {
	img, ok := images[repo(image)]
	if !ok {
		return Image{}, false
	}
	return *img, true
}

// Files is the image's file tree, its layers flattened (every file root's
// unless Owned says otherwise), nil for an image this package does not
// have. Symlinks are symlinks (fs.ReadLink).
func Files(image string) fs.FS {
	img, ok := images[repo(image)]
	if !ok {
		return nil
	}
	return img.files
}

// Program is the executable at file (an absolute path, or a name found on
// the image's PATH) of image.
func Program(image, file string) (sandbox.Program, bool) {
	img, ok := images[repo(image)]
	if !ok {
		return nil, false
	}
	if prog, ok := img.Programs[file]; ok {
		return prog, true
	}
	if strings.Contains(file, "/") {
		return nil, false
	}
	for _, dir := range pathOf(img.Env) {
		if prog, ok := img.Programs[strings.TrimSuffix(dir, "/")+"/"+file]; ok {
			return prog, true
		}
	}
	return nil, false
}

func pathOf(env []string) []string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return strings.Split(v, ":")
		}
	}
	return []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
}

// layer builds an image's files: text files (0644), directories (0755
// unless given), symlinks, and a placeholder for each program.
type layer struct{ fs fstest.MapFS }

func newLayer() *layer {
	l := &layer{fs: fstest.MapFS{}}
	l.dir("tmp", fs.ModeSticky|0o777)
	l.dir("run", 0o755)
	l.link("var/run", "/run")
	l.file("etc/os-release", debianOSRelease)
	l.file("etc/hostname", "")
	return l
}

func (l *layer) file(name, data string) {
	l.fs[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
}
func (l *layer) dir(name string, mode fs.FileMode) {
	l.fs[name] = &fstest.MapFile{Mode: fs.ModeDir | mode}
}
func (l *layer) link(name, target string) {
	l.fs[name] = &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}

// programs puts a placeholder at each program's path.
func (l *layer) programs(progs map[string]sandbox.Program) {
	for file := range progs {
		l.fs[strings.TrimPrefix(file, "/")] = &fstest.MapFile{
			Data: []byte("#!/kubelab\n# " + file + " is one of kubelab's own programs (lab/images/programs).\n"),
			Mode: 0o755,
		}
	}
}

const debianOSRelease = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`

// debianPasswd and debianGroup are a Debian base image's users.
const debianPasswd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`

const debianGroup = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
sasl:x:45:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
nogroup:x:65534:
`
