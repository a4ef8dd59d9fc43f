package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// Clientset returns a client for the cluster from the lab kubeconfig.
func (p *Provider) Clientset() (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", p.layout.Kubeconfig())
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

func (p *Provider) readMeta() (meta, error) {
	var m meta
	data, err := os.ReadFile(p.layout.Meta())
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, &CorruptStateError{Path: p.layout.Meta(), Err: err}
	}
	if m.CreatedBy != owner {
		return m, &CorruptStateError{Path: p.layout.Meta(), Err: errors.New("it does not say kubelab created this cluster")}
	}
	return m, nil
}

func (p *Provider) writeMeta(m meta) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(p.layout.Meta(), append(data, '\n'), 0o600)
}

func (p *Provider) pid() (int, error) {
	data, err := os.ReadFile(p.layout.PidFile())
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(data)))
}

// findBinary looks for kubelab-cluster: $KUBELAB_CLUSTER_BINARY, next to the
// running executable, then on PATH.
func (p *Provider) findBinary() (string, error) {
	if p.binary != "" {
		return p.binary, nil
	}
	if b := os.Getenv("KUBELAB_CLUSTER_BINARY"); b != "" {
		return b, nil
	}
	if exe, err := os.Executable(); err == nil {
		b := filepath.Join(filepath.Dir(exe), ClusterBinary)
		if fi, err := os.Stat(b); err == nil && !fi.IsDir() {
			return b, nil
		}
	}
	if b, err := exec.LookPath(ClusterBinary); err == nil {
		return b, nil
	}
	return "", ErrNoClusterBinary
}

// lastLogError finds the most telling line at the end of the process log.
func lastLogError(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return "no log was written"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 64<<10 {
		_, _ = f.Seek(-64<<10, io.SeekEnd)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(strings.ToLower(lines[i]), "error") {
			return strings.TrimSpace(lines[i])
		}
	}
	if len(lines) > 0 {
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return "the log is empty"
}

// Running reports whether process pid exists and has not exited (a zombie
// waiting for its parent to reap it has exited).
func Running(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil && !errors.Is(err, os.ErrNotExist)
	}
	// The state follows the command name, which is in parentheses.
	if i := strings.LastIndexByte(string(data), ')'); i >= 0 && i+2 < len(data) {
		return data[i+2] != 'Z' && data[i+2] != 'X'
	}
	return true
}

// PortFree reports whether port on 127.0.0.1 can be listened on now.
func PortFree(port int) bool {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// FreePort returns a port on 127.0.0.1 that is free now, chosen below the
// kernel's ephemeral range. A port from the ephemeral range (what port 0
// gives) can be taken as the source port of any outgoing connection before
// the cluster binds it, and on a busy machine it was: the cluster's own
// loopback connections to etcd and the API server use that range.
func FreePort() (int, error) {
	hi := min(ephemeralLow(), 30000) // 30080-30082: kind's NodePorts
	lo := max(hi-10000, 1024)
	for range 200 {
		if port := lo + mrand.IntN(hi-lo); PortFree(port) {
			return port, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralLow is the first port of the kernel's ephemeral range (Linux's
// default where it cannot be read).
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 2048 {
				return n
			}
		}
	}
	return 32768
}
