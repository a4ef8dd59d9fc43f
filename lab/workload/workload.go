// Package workload is the behaviour contract of kubelab's lesson app: how a
// lesson pod asks to crash, to fail readiness, or to run a broken image, and
// which images a lab cluster can run without a registry.
//
// The embedded cluster's simulated kubelets honour this contract (see
// assets/stages/pod.yaml); on kind the lesson app itself honours it for real.
package workload

import (
	"regexp"
	"strings"
)

const (
	// AppRepo is the repository of kubelab's own lesson app image.
	AppRepo = "kubelab/app"

	// EnvCrashAfter makes the lesson app exit with status 1 after this long
	// (a Go duration such as "5s", or a number of seconds). The kubelet then
	// restarts it with a growing back-off: CrashLoopBackOff.
	EnvCrashAfter = "KUBELAB_CRASH_AFTER"

	// EnvReady set to "false" makes the lesson app's readiness endpoint
	// (/readyz) fail. A container with a readinessProbe is then Running but
	// not Ready; one without a probe is Ready anyway, as in real Kubernetes.
	EnvReady = "KUBELAB_READY"

	// EnvMemory makes the lesson app allocate and hold this much memory (a
	// Kubernetes quantity such as "300Mi"). Over the container's memory limit
	// the kernel kills it: OOMKilled, exit code 137, then restarts.
	EnvMemory = "KUBELAB_MEMORY"

	// EnvHangAfter makes the lesson app hang after this long (a Go duration
	// or a number of seconds): it keeps running but answers no HTTP request
	// any more, its probes included. Nothing but a livenessProbe notices:
	// the kubelet then kills it (SIGTERM, which a hung app does not handle:
	// exit code 143) and starts it again. A readinessProbe takes it out of
	// its Services meanwhile.
	EnvHangAfter = "KUBELAB_HANG_AFTER"

	// EnvMode picks what the lesson app does: "server" (default, HTTP on
	// 8080), "worker" (takes tasks from a queue), "producer" (puts tasks on
	// a queue), "load" (sends requests to EnvTarget).
	EnvMode = "KUBELAB_MODE"
	// EnvQueue names the queue a worker or producer uses.
	EnvQueue = "KUBELAB_QUEUE"
	// EnvRate is tasks (producer) or requests (load) per second, per pod;
	// for a worker, how many tasks per second one pod finishes.
	EnvRate = "KUBELAB_RATE"
	// EnvTarget is the Service a load pod sends requests to.
	EnvTarget = "KUBELAB_TARGET"
	// EnvCapacity is how many requests per second one server pod handles
	// before its latency climbs (default 50).
	EnvCapacity = "KUBELAB_CAPACITY"
)

// AppTags are the tags of the lesson app image that exist. "broken" starts and
// crashes after about a second, for rollback lessons.
var AppTags = []string{"v1", "v2", "v3", "broken"}

// BrokenImage is the lesson app tag that always crashes.
const BrokenImage = AppRepo + ":broken"

// PublicRepos are the well-known public images a simulated node pretends to
// have pulled. Tags must look real: "latest", a distribution name, or a
// version starting with a digit ("1.27", "7-alpine"); "nginx:lates" is a typo
// and fails like it would against a registry.
var PublicRepos = []string{
	"nginx", "busybox", "redis", "postgres", "mysql", "mariadb", "mongo", "memcached",
	"httpd", "traefik", "haproxy", "rabbitmq", "alpine", "ubuntu", "debian", "python",
	"node", "golang", "hello-world", "curlimages/curl", "nicolaka/netshoot",
	"registry.k8s.io/pause", "registry.k8s.io/e2e-test-images/agnhost",
	"hashicorp/http-echo", "kennethreitz/httpbin", "elasticsearch", "grafana/grafana",
	"prom/prometheus",
}

var publicTags = []string{"latest", "stable", "mainline", "alpine", "slim", "bookworm", "bullseye", "jammy", "noble", "perl"}

// KnownImageRegexp is the pattern of every image a lab cluster can run without
// a registry. It uses no backslash or quote so that it can be embedded in jq
// and Go template string literals unchanged.
var KnownImageRegexp = buildKnownImageRegexp()

// CrashImageRegexp matches the images that crash by contract.
var CrashImageRegexp = "^(docker[.]io/)?" + quoteMeta(BrokenImage) + "$"

var (
	knownRE = regexp.MustCompile(KnownImageRegexp)
	crashRE = regexp.MustCompile(CrashImageRegexp)
)

// KnownImage reports whether a lab cluster can run image.
func KnownImage(image string) bool { return knownRE.MatchString(image) }

// CrashingImage reports whether image crashes by contract.
func CrashingImage(image string) bool { return crashRE.MatchString(image) }

func buildKnownImageRegexp() string {
	repos := make([]string, len(PublicRepos))
	for i, r := range PublicRepos {
		repos[i] = quoteMeta(r)
	}
	version := "[0-9][0-9a-z._]*(-[a-z0-9._]+)*"
	public := "(docker[.]io/)?(library/)?(" + strings.Join(repos, "|") + ")" +
		"(:(" + strings.Join(publicTags, "|") + "|" + version + "|(" + strings.Join(publicTags, "|") + ")-[a-z0-9.]+))?" +
		"(@sha256:[0-9a-f]{64})?"
	app := "(docker[.]io/)?" + quoteMeta(AppRepo) + ":(" + strings.Join(AppTags, "|") + ")"
	return "^((" + public + ")|(" + app + "))$"
}

// quoteMeta escapes regexp metacharacters with classes, not backslashes.
func quoteMeta(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.+*?()|[]{}^$`, r) {
			b.WriteString("[" + string(r) + "]")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var appRE = regexp.MustCompile("^(docker[.]io/)?" + quoteMeta(AppRepo) + ":")

// IsAppImage reports whether image is one of kubelab's lesson app images.
func IsAppImage(image string) bool { return appRE.MatchString(image) }
