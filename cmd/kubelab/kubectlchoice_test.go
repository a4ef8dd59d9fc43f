package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/kubectlver/kubectlvertest"
)

// learnerHome gives c's HOME the learner's own setup (rc files and a
// ~/.kube/config) and returns a check, for the test's end, that none of it
// changed and nothing was added outside kubelab's state directory.
func learnerHome(t *testing.T, c *labCLI) (unchanged func()) {
	t.Helper()
	for name, body := range map[string]string{
		".bashrc":      "export PS1='learner$ ' LEARNER_BASHRC=sourced\n",
		".profile":     "# the learner's profile\n",
		".zshrc":       "alias k=kubectl\n",
		".kube/config": "apiVersion: v1\nkind: Config\ncurrent-context: work\n",
	} {
		p := filepath.Join(c.home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := homeFiles(t, c.home)
	return func() {
		t.Helper()
		after := homeFiles(t, c.home)
		for p, b := range before {
			if a, ok := after[p]; !ok || a != b {
				t.Errorf("kubelab changed the learner's ~/%s: %q became %q", p, b, a)
			}
		}
		for p := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("kubelab added ~/%s to the learner's home", p)
			}
		}
	}
}

// homeFiles maps each file under home, but kubelab's state, to its content.
func homeFiles(t *testing.T, home string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(home, p)
		if d.IsDir() {
			if rel == "state" {
				return filepath.SkipDir
			}
			return nil
		}
		data, err := os.ReadFile(p)
		files[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// inShell runs script with /bin/sh in the learner's environment with PATH set,
// as their own terminal would.
func (c *labCLI) inShell(path, script string) string {
	c.t.Helper()
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Env = append(c.env, "PATH="+path, "KUBELAB="+c.bin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		c.t.Errorf("sh -c %q: %v\n%s", script, err, out.String())
	}
	return out.String()
}

// labKubectl is what `kubectl version` shows when kubelab's own kubectl talks
// to the lab: client and server of one version.
var labKubectl = []string{"Client Version: v1.37.2\n", "Server Version: v1.37.2\n"}

// `kubelab env` and `kubelab status` with an old kubectl first on PATH, one of
// the lab's version, and none: only the old one and none give way to
// kubelab's own, which then talks to the lab as the same version.
func TestEnvAndStatusChooseKubectlByTheLabsVersion(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	unchanged := learnerHome(t, c)
	old := kubectlvertest.Kubectl(t, "", "v1.32.4")
	same := kubectlvertest.Kubectl(t, "", "v1.37.2")
	c.up()
	system := os.Getenv("PATH")
	for _, tc := range []struct {
		name, path string
		own        bool     // kubelab's own kubectl stands in
		why        string   // env's comment and status's kubectl line
		version    []string // what `kubectl version` shows after eval "$(kubelab env)"
	}{
		{name: "old kubectl", path: old + ":" + system, own: true,
			why:     "kubelab's own (v1.37.2): " + old + "/kubectl is v1.32.4, more than one minor version from the lab's Kubernetes v1.37.2; to use it anyway, run " + old + "/kubectl",
			version: labKubectl},
		{name: "kubectl of the lab's version", path: same + ":" + system,
			why:     same + "/kubectl (v1.37.2): within one minor version of the lab's Kubernetes v1.37.2",
			version: []string{kubectlvertest.Marker + " v1.37.2: version\n"}},
		{name: "no kubectl", path: t.TempDir(), own: true,
			why:     "kubelab's own (v1.37.2): no kubectl is installed",
			version: labKubectl},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			c.env = append(c.env, "PATH="+tc.path)
			env := c.ok("env")
			if got := strings.Contains(env, "kubectl() {"); got != tc.own {
				t.Errorf("env defines a kubectl function: %v, want %v:\n%s", got, tc.own, env)
			}
			if tc.own && !strings.Contains(env, "# kubectl is "+tc.why+".\n") {
				t.Errorf("env does not say why in a comment (%q):\n%s", tc.why, env)
			}
			if !tc.own && strings.Contains(env, "kubectl") && !strings.Contains(env, "kubelab env") {
				t.Errorf("env mentions kubectl although it leaves it alone:\n%s", env)
			}
			got := c.inShell(tc.path, `eval "$("$KUBELAB" env)"; kubectl version`)
			for _, want := range tc.version {
				if !strings.Contains(got, want) {
					t.Errorf("eval \"$(kubelab env)\"; kubectl version: lacks %q:\n%s", want, got)
				}
			}
			if tc.own && (strings.Contains(got, kubectlvertest.Marker) || strings.Contains(strings.ToLower(got), "warning")) {
				t.Errorf("eval \"$(kubelab env)\"; kubectl version:\n%s", got)
			}
			st := c.ok("status")
			for _, want := range []string{"Kubernetes:  v1.37.2\n", "kubectl:     " + tc.why + "\n"} {
				if !strings.Contains(st, want) {
					t.Errorf("status lacks %q:\n%s", want, st)
				}
			}
		})
	}
	c.t = t
	unchanged()
}

// The lab shell (x on the lesson screen) in a real terminal, first with an old
// kubectl first on PATH, then with one of the lab's version: kubelab's own
// stands in for the old one only, and the banner says so in one line.
func TestLabShellKubectlMatchesTheLab(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	unchanged := learnerHome(t, c)
	old := kubectlvertest.Kubectl(t, "", "v1.32.4")
	same := kubectlvertest.Kubectl(t, "", "v1.37.2")
	c.up()
	x := newTmux(t, c)

	// shell opens lesson 1 in a new session with path as PATH, then its shell.
	shell := func(session, path string) {
		// tmux sets PATH and SHELL in a new pane itself: env sets them after it.
		args := []string{"new-session", "-d", "-s", session, "-x", "320", "-y", "30", "/usr/bin/env", "PATH=" + path, "SHELL=/bin/sh", "ENV="}
		for _, e := range c.env {
			if strings.HasPrefix(e, "HOME=") || strings.HasPrefix(e, "KUBELAB_") {
				args = append(args, e)
			}
		}
		x.run(append(args, c.bin)...)
		x.waitFor(session, "What Kubernetes is")
		x.run("send-keys", "-t", session, "Enter")
		x.waitFor(session, "there is no configmap named my-cluster")
		x.run("send-keys", "-t", session, "x")
		x.waitFor(session, "Type exit (or Ctrl-D) to go back to the lesson.")
	}
	kubectl := func(session, args string) {
		x.run("send-keys", "-t", session, "clear; "+args+`; echo "d""one-$?"`, "Enter")
		x.waitFor(session, "done-")
	}
	system := os.Getenv("PATH")

	shell("old", old+":"+system)
	banner := x.screen("old")
	if want := "  kubectl is kubelab's own (v1.37.2): " + old + "/kubectl is v1.32.4, more than one minor version from the lab's Kubernetes v1.37.2; to use it anyway, run " + old + "/kubectl.\n"; !strings.Contains(banner, want) {
		t.Errorf("the banner lacks the line %q:\n%s", want, banner)
	}
	kubectl("old", "kubectl version")
	s := x.screen("old")
	for _, want := range append(labKubectl, "done-0") {
		if !strings.Contains(s, want) {
			t.Errorf("kubectl version in the lab shell lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, kubectlvertest.Marker) || strings.Contains(strings.ToLower(s), "warning") {
		t.Errorf("kubectl version in the lab shell:\n%s", s)
	}
	kubectl("old", old+"/kubectl version") // the way to the old one on purpose
	x.waitFor("old", kubectlvertest.Marker+" v1.32.4: version")
	x.run("send-keys", "-t", "old", "exit", "Enter")
	x.waitFor("old", "there is no configmap named my-cluster")
	x.run("send-keys", "-t", "old", "q")

	shell("same", same+":"+system)
	if s := x.screen("same"); strings.Contains(s, "kubelab's own") {
		t.Errorf("the banner replaces a kubectl of the lab's version:\n%s", s)
	}
	kubectl("same", "kubectl version")
	x.waitFor("same", kubectlvertest.Marker+" v1.37.2: version")
	x.run("send-keys", "-t", "same", "exit", "Enter")
	x.waitFor("same", "there is no configmap named my-cluster")
	x.run("send-keys", "-t", "same", "q")
	unchanged()
}
