package workload

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The lesson app's modes (EnvMode).
const (
	ModeServer   = "server"   // HTTP on HTTPPort: version, pod and node; load-dependent latency
	ModeWorker   = "worker"   // takes tasks from a queue
	ModeProducer = "producer" // puts tasks on a queue
	ModeQueue    = "queue"    // the queue itself
	ModeLoad     = "load"     // sends requests to EnvTarget
	ModeTail     = "tail"     // follows EnvFile and prints its lines (a log-shipping sidecar; no HTTP)
	ModeProxy    = "proxy"    // forwards 127.0.0.1:EnvListen to EnvTarget (an ambassador; no HTTP)
	ModeAdapter  = "adapter"  // serves metrics on AdapterPort, beside the app it translates for
	ModeDB       = "db"       // a small data store (GET/PUT /data/<name>) on DBPort
	ModeJob      = "job"      // works for EnvDuration, says EnvMessage and exits 0
)

// Modes lists every mode, the default first.
var Modes = []string{ModeServer, ModeWorker, ModeProducer, ModeQueue, ModeLoad, ModeTail, ModeProxy, ModeAdapter, ModeDB, ModeJob}

// DefaultMode is the mode of a lesson app without EnvMode.
const DefaultMode = ModeServer

// More of the lesson app's environment.
const (
	// EnvAddr is the address the app's HTTP server listens on (default
	// ":" + Port(mode)).
	EnvAddr = "KUBELAB_ADDR"
	// EnvNode names the node the pod runs on; lessons set it from
	// spec.nodeName with the downward API. Without it the app says
	// node=unknown.
	EnvNode = "KUBELAB_NODE"
	// EnvLogFile makes the app also append its access log to this file
	// (sidecar lessons).
	EnvLogFile = "KUBELAB_LOG_FILE"
	// EnvFile is the file a tail container follows (default DefaultFile).
	EnvFile = "KUBELAB_FILE"
	// EnvListen is the port a proxy listens on, on 127.0.0.1 (default DefaultListen).
	EnvListen = "KUBELAB_LISTEN"
	// EnvDataDir is where GET/PUT /data/<name> keeps files (default DefaultDataDir).
	EnvDataDir = "KUBELAB_DATA_DIR"
	// EnvMessage is what a job says when it finishes (default DefaultMessage).
	EnvMessage = "KUBELAB_MESSAGE"
	// EnvDuration is how long a job works before it says EnvMessage and
	// exits with status 0: a Go duration or a number of seconds (default 0).
	// Only a job finishes by itself; every other mode runs until it is
	// stopped, killed, or crashes (EnvCrashAfter).
	EnvDuration = "KUBELAB_DURATION"
	// EnvVersion is the image tag the app runs as; the images set it.
	EnvVersion = "KUBELAB_VERSION"
)

// Defaults of the lesson app.
const (
	// A pod's containers share its ports: the modes that run beside an app
	// on HTTPPort listen elsewhere (Serves, Port).
	HTTPPort    = 8080 // every HTTP mode but the adapter and the db
	AdapterPort = 9113 // the adapter shares its pod with the app it translates for
	DBPort      = 5432 // the db shares the all-in-one pod with a server

	DefaultDataDir  = "/data"
	DefaultFile     = "/var/log/app/access.log"
	DefaultListen   = "6379"
	DefaultMessage  = "job done"
	DefaultQueue    = "tasks"
	DefaultCapacity = 50.0 // requests per second one server pod handles before its latency climbs

	// DefaultQueueTarget and DefaultLoadTarget are the Services workers and
	// producers, and load pods, talk to without EnvTarget.
	DefaultQueueTarget = "queue"
	DefaultLoadTarget  = "web"

	// BrokenReason is why the "broken" tag exits at once.
	BrokenReason = "load configuration /etc/kubelab/app.yaml: no such file or directory"
)

// Port is the port mode serves HTTP on without EnvAddr.
func Port(mode string) int {
	switch mode {
	case ModeAdapter:
		return AdapterPort
	case ModeDB:
		return DBPort
	}
	return HTTPPort
}

// IsMode reports whether mode is one of Modes.
func IsMode(mode string) bool { return slices.Contains(Modes, mode) }

// Serves reports whether mode runs an HTTP server: every mode but job and
// the sidecars tail and proxy, which share their pod (and so its ports)
// with an app on HTTPPort.
func Serves(mode string) bool { return mode != ModeJob && mode != ModeTail && mode != ModeProxy }

// Finishes reports whether mode ends by itself, with status 0: only a job
// does. A container in any other mode runs until it is stopped or killed,
// so a Job whose pods serve never completes, on kind as on the simulated nodes.
func Finishes(mode string) bool { return mode == ModeJob }

// JobDuration is how long a job works (EnvDuration).
func (e Env) JobDuration() (time.Duration, error) {
	v := e(EnvDuration)
	if v == "" {
		return 0, nil
	}
	d, err := ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q is not a duration such as 30s", EnvDuration, v)
	}
	return d, nil
}

// DefaultRate is the rate of mode without EnvRate: tasks a producer puts
// or a worker finishes, or requests a load pod sends, per second.
func DefaultRate(mode string) float64 {
	switch mode {
	case ModeProducer:
		return 10
	case ModeWorker:
		return 5
	case ModeLoad:
		return 20
	}
	return 0
}

// ParseDuration reads EnvCrashAfter: a Go duration or a number of seconds.
func ParseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(s)
}

// Env reads a lesson app's environment: the value of a name, "" if unset.
type Env func(name string) string

// Get is the value of name, or def when it is unset or empty.
func (e Env) Get(name, def string) string {
	if v := e(name); v != "" {
		return v
	}
	return def
}

// Float is the value of name as a number, or def when it is not one.
func (e Env) Float(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(e(name), 64); err == nil && v >= 0 {
		return v
	}
	return def
}

// Mode is the app's mode.
func (e Env) Mode() string { return e.Get(EnvMode, DefaultMode) }

// Addr is where the app's HTTP server listens.
func (e Env) Addr() string { return e.Get(EnvAddr, ":"+strconv.Itoa(Port(e.Mode()))) }

// The lesson app's log lines: the real app prints them and the simulated
// nodes show them, so that `kubectl logs` reads alike on both backends.

// LogStarting is the app's first line.
func LogStarting(version string) string { return fmt.Sprintf("kubelab-app %s starting", version) }

// LogIdentity says who and where the app is.
func LogIdentity(pod, namespace, node, ip, mode string) string {
	return fmt.Sprintf("pod=%s namespace=%s node=%s ip=%s mode=%s", pod, namespace, node, ip, mode)
}

// LogFatal is the app's last line when it fails (BrokenReason, EnvCrashAfter...).
func LogFatal(err string) string { return "fatal: " + err }

// LogExit follows LogFatal: the app exits with status 1.
const LogExit = "exiting with status 1"

// CrashReason is the error the app exits with after EnvCrashAfter.
func CrashReason(after time.Duration) string {
	return fmt.Sprintf("exiting after %s as %s asks", after, EnvCrashAfter)
}

// LogCrashAfter announces EnvCrashAfter.
func LogCrashAfter(after time.Duration) string {
	return fmt.Sprintf("will exit with status 1 after %s (%s)", after, EnvCrashAfter)
}

// LogMemory announces EnvMemory.
func LogMemory(amount string) string {
	return fmt.Sprintf("holding %s of memory (%s)", amount, EnvMemory)
}

// LogHangAfter announces EnvHangAfter.
func LogHangAfter(after time.Duration) string {
	return fmt.Sprintf("will stop answering after %s (%s)", after, EnvHangAfter)
}

// LogHung is the app's last line once it hangs (EnvHangAfter).
var LogHung = fmt.Sprintf("hung: answering no more requests (%s)", EnvHangAfter)

// HungExitCode is how a hung app ends when the kubelet stops it: by the
// SIGTERM it no longer handles (128 + 15).
const HungExitCode = 143

// HangAfter is how long the app answers before it hangs (EnvHangAfter),
// 0 if it never does.
func (e Env) HangAfter() (time.Duration, error) {
	v := e(EnvHangAfter)
	if v == "" {
		return 0, nil
	}
	d, err := ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a duration such as 30s", EnvHangAfter, v)
	}
	return d, nil
}

// LogNotReady announces EnvReady=false.
var LogNotReady = fmt.Sprintf("readiness: reporting NOT ready (%s=false)", EnvReady)

// LogListening says where the HTTP server listens.
func LogListening(addr string) string {
	return fmt.Sprintf("listening on %s (GET / answers with version, pod and node; /healthz, /readyz, /metrics)", addr)
}

// LogRequest is one access log line.
func LogRequest(method, path string, status int, took time.Duration) string {
	return fmt.Sprintf("%s %s %d (%s)", method, path, status, took)
}

// LogWorking announces a job's EnvDuration.
func LogWorking(d time.Duration) string {
	return fmt.Sprintf("working for %s (%s)", d, EnvDuration)
}

// LogMode says what the app's mode does ("" for a plain server), and for a
// job its message, said when it finishes.
func LogMode(e Env) string {
	switch mode := e.Mode(); mode {
	case ModeWorker, ModeProducer:
		return fmt.Sprintf("%s on queue %q, %s tasks per second (%s)", mode, e.Get(EnvQueue, DefaultQueue),
			strconv.FormatFloat(e.Float(EnvRate, DefaultRate(mode)), 'g', -1, 64), EnvRate)
	case ModeLoad:
		return fmt.Sprintf("sending %s requests per second to http://%s/", strconv.FormatFloat(e.Float(EnvRate, DefaultRate(mode)), 'g', -1, 64), e.Get(EnvTarget, DefaultLoadTarget))
	case ModeTail:
		return "following " + e.Get(EnvFile, DefaultFile)
	case ModeProxy:
		return fmt.Sprintf("proxy: listening on 127.0.0.1:%s, forwarding to %s", e.Get(EnvListen, DefaultListen), e(EnvTarget))
	case ModeAdapter:
		return fmt.Sprintf("adapter: serving the pod's metrics in the Prometheus format on %s/metrics", e.Addr())
	case ModeDB:
		return fmt.Sprintf("db: key/value store on %s (PUT and GET /data/<name>), data in %s", e.Addr(), e.Get(EnvDataDir, DefaultDataDir))
	case ModeQueue:
		return "queue: POST /queue/<name> puts a task, POST /queue/<name>/take takes one"
	case ModeJob:
		return e.Get(EnvMessage, DefaultMessage)
	}
	return ""
}

// NotAMode is the error for an EnvMode that names no mode.
func NotAMode(mode string) error {
	return fmt.Errorf("%s=%q is not a mode (%s)", EnvMode, mode, strings.Join(Modes, ", "))
}

// Tools are the client commands the lesson app's image links to the app,
// for `kubectl exec` in lesson texts: it runs as each of them when started
// by that name (lab/images makes the links; cmd/kubelab-app plays them).
var Tools = []string{"cat", "ls", "touch", "wget"}

// KillPath is where every HTTP mode of the lesson app answers POST with
// 202 Accepted and then dies of SIGKILL (exit code KilledExitCode), as a
// container the kubelet kills: the kubelet restarts it. A learner's
// kubelab reaches it through the API server's pods/proxy subresource
// (/api/v1/namespaces/NS/pods/POD:8080/proxy/kubelab/kill) to kill a
// container without access to its node. It answers even when the app
// hangs (EnvHangAfter): it is the lab's hand, not the app's.
const KillPath = "/kubelab/kill"

// KilledExitCode is how a container killed by SIGKILL ends (128 + 9),
// through KillPath or over its memory limit (EnvMemory).
const KilledExitCode = 137

// CapacityCPU is the CPU, in millicores, a server pod spends while it
// answers EnvCapacity requests per second: each answer of GET / costs
// RequestCPU of real CPU (2 ms at the default 50/s), so the Metrics API
// and a HorizontalPodAutoscaler see load on both backends (120 requests
// per second to one pod of capacity 50: 240m). Queueing adds latency,
// not CPU.
const CapacityCPU = 100

// RequestCPU is the CPU one answer of GET / costs a server of capacity
// requests per second.
func RequestCPU(capacity float64) time.Duration {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	return time.Duration(float64(CapacityCPU) * float64(time.Millisecond) / capacity)
}
