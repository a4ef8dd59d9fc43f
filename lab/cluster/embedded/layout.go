package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Layout names the files of an embedded cluster's state directory:
//
//	cluster.json   what kubelab knows of the cluster (owner marker, API port, created)
//	kubeconfig     the learner's kubeconfig, mode 0600
//	pki/           certificates and keys, mode 0600, generated once
//	kubeconfigs/   the components' own kubeconfigs
//	etcd/          the cluster's data
//	ports.json     the internal ports (etcd, node agent), reused across restarts
//	logs/          cluster.log (the process), etcd.log
//	lock, pid      held and written by the running cluster process
type Layout struct {
	Dir string
}

func (l Layout) Meta() string          { return filepath.Join(l.Dir, "cluster.json") }
func (l Layout) Kubeconfig() string    { return filepath.Join(l.Dir, "kubeconfig") }
func (l Layout) PKIDir() string        { return filepath.Join(l.Dir, "pki") }
func (l Layout) KubeconfigDir() string { return filepath.Join(l.Dir, "kubeconfigs") }
func (l Layout) Ports() string         { return filepath.Join(l.Dir, "ports.json") }
func (l Layout) LogDir() string        { return filepath.Join(l.Dir, "logs") }
func (l Layout) Log() string           { return filepath.Join(l.Dir, "logs", "cluster.log") }
func (l Layout) LockFile() string      { return filepath.Join(l.Dir, "lock") }
func (l Layout) PidFile() string       { return filepath.Join(l.Dir, "pid") }

// ErrLocked means another process holds the lock.
var ErrLocked = errors.New("locked by another process")

// Lock takes an exclusive, non-blocking flock on path, creating it if needed.
// The kernel drops the lock when the holder dies, so a killed process never
// leaves a stale lock behind. release gives the lock up.
func Lock(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}

// Held reports whether some process holds the lock at path right now.
func Held(path string) bool {
	release, err := Lock(path)
	if err != nil {
		return errors.Is(err, ErrLocked)
	}
	release()
	return false
}
