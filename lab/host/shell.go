package host

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	kversion "k8s.io/component-base/version"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/kubectlver"
	"github.com/kubelab/kubelab/lab/lesson"
)

// Shell returns the learner's shell with KUBECONFIG set to the lab (in the
// lesson's namespace) and a kubectl that matches the lab's Kubernetes on
// PATH: the installed one, or kubelab's own when none is installed or the
// installed one is outside kubectl's supported skew, as the banner then says.
// bash, zsh and POSIX sh start with kubelab's rc files (shellrc.go): the
// learner's own first, then a prompt that names the lesson and namespace
// and kubectl's completion (bash, zsh). kubectl edit gets nano, vim or vi
// when the learner set no KUBE_EDITOR or EDITOR, as the banner says.
func (h *Lab) Shell(l *lesson.Lesson) (*exec.Cmd, error) {
	shell := os.Getenv("SHELL")
	if shell == "" {
		shell = "/bin/sh"
	}
	ns, err := h.namespaceFor(l)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "KUBECONFIG="+h.prov().KubeconfigPath(), "KUBELAB_NAMESPACE="+ns, "KUBELAB_LESSON="+l.ID)
	banner := fmt.Sprintf("\n  kubelab shell: kubectl works on the lab cluster, namespace %s.\n", ns)
	args, rcEnv, err := shellStart(h.stateDir, shell)
	if err != nil {
		return nil, fmt.Errorf("write the lab shell's rc files: %w", err)
	}
	env = append(env, rcEnv...)
	if e := editor(); e != "" {
		env = append(env, "KUBE_EDITOR="+e)
		banner += editorLine(e)
	}
	h.mu.Lock()
	choice, clients := h.kubectl, h.clients
	h.mu.Unlock()
	if choice == nil {
		var cfg *rest.Config
		if clients != nil {
			cfg = clients.Config
		}
		c, _ := KubectlChoice(context.Background(), cfg)
		choice = &c
		h.mu.Lock()
		h.kubectl = choice
		h.mu.Unlock()
	}
	if choice.UseOwn {
		kubelab, err := h.program()
		if err != nil {
			return nil, err
		}
		dir, err := kubectlShim(filepath.Dir(h.prov().KubeconfigPath()), kubelab)
		if err != nil {
			return nil, err
		}
		env = append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		banner += "  " + choice.Why() + "\n"
	}
	banner += "  Type exit (or Ctrl-D) to go back to the lesson.\n\n"
	// The banner is an argument, not part of the script: paths stay as they are.
	cmd := exec.Command("/bin/sh", append([]string{"-c", `printf '%s' "$1"; shift; exec "$@"`, "kubelab-shell", banner, shell}, args...)...)
	cmd.Env = env
	return cmd, nil
}

// kubectlShim writes, in stateDir/bin, a `kubectl` that runs kubelab's
// built-in one, and returns that folder.
func kubectlShim(stateDir, kubelab string) (string, error) {
	dir := filepath.Join(stateDir, "bin")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s kubectl \"$@\"\n", shellQuote(kubelab))
	return dir, atomicfile.Write(filepath.Join(dir, "kubectl"), []byte(script), 0o700)
}

// shellQuote quotes s for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// setKubeconfigNamespace makes ns the default namespace of the lab kubeconfig.
func setKubeconfigNamespace(path, ns string) error {
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return fmt.Errorf("read the lab kubeconfig: %w", err)
	}
	if c, ok := cfg.Contexts[cfg.CurrentContext]; ok {
		if c.Namespace == ns {
			return nil
		}
		c.Namespace = ns
	}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// KubectlChoice is the kubectl a learner gets against the lab cluster (cfg,
// nil when it does not run): the one on PATH when it is within the skew of the
// lab's Kubernetes, kubelab's own otherwise. fromServer says whether the lab's
// version came from its API server.
func KubectlChoice(ctx context.Context, cfg *rest.Config) (c kubectlver.Choice, fromServer bool) {
	lab, fromServer := labVersion(cfg)
	return kubectlver.Choose(kubectlver.Find(ctx, os.Getenv("PATH")), lab, ownVersion()), fromServer
}

// labVersion is the lab cluster's Kubernetes version: the API server's when
// it answers (fromServer), else the one kubelab was built with.
func labVersion(cfg *rest.Config) (v *version.Version, fromServer bool) {
	if cfg != nil {
		c := rest.CopyConfig(cfg)
		c.Timeout = kubectlver.Timeout
		if d, err := discovery.NewDiscoveryClientForConfig(c); err == nil {
			if info, err := d.ServerVersion(); err == nil {
				if v, err := version.ParseGeneric(info.GitVersion); err == nil {
					return v, true
				}
			}
		}
	}
	return ownVersion(), false
}

// ownVersion is the Kubernetes version kubelab was built with, which its own
// kubectl reports; nil in a build without the Makefile's version stamp.
func ownVersion() *version.Version {
	v, err := version.ParseGeneric(kversion.Get().GitVersion)
	if err != nil || v.Major() == 0 {
		return nil
	}
	return v
}
