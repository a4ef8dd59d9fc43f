package host

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A friendly editor is set only when the learner has none: nano first,
// then vim, then vi.
func TestEditorKeepsTheLearnersAndPrefersNano(t *testing.T) {
	bin := t.TempDir()
	install := func(names ...string) {
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(bin, n), []byte("#!/bin/sh\n"), 0o700); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("KUBE_EDITOR", "")
	t.Setenv("EDITOR", "")
	if e := editor(); e != "" {
		t.Errorf("no editor installed: %q, want none", e)
	}
	install("vi")
	if e := editor(); e != "vi" {
		t.Errorf("vi installed: %q", e)
	}
	install("vim", "nano")
	if e := editor(); e != "nano" {
		t.Errorf("nano, vim and vi installed: %q, want nano", e)
	}
	if !strings.Contains(editorLine("nano"), "export KUBE_EDITOR=vim") || !strings.Contains(editorLine("vim"), "export KUBE_EDITOR=nano") {
		t.Errorf("the banner's editor lines: %q, %q", editorLine("nano"), editorLine("vim"))
	}
	for _, own := range []string{"KUBE_EDITOR", "EDITOR"} {
		t.Run(own, func(t *testing.T) {
			t.Setenv(own, "emacs")
			if e := editor(); e != "" {
				t.Errorf("the learner's %s=emacs: kubelab sets %q", own, e)
			}
		})
	}
}

// Each shell family starts with kubelab's rc files, written in the state
// directory, that read the learner's own first.
func TestShellStartReadsTheLearnersRCFirst(t *testing.T) {
	state := t.TempDir()
	t.Setenv("HOME", "/home/learner")
	t.Setenv("ENV", "/home/learner/.shinit")
	t.Setenv("ZDOTDIR", "")
	for _, tc := range []struct {
		shell, rc, own string
		args, env      []string
	}{
		{shell: "/bin/bash", rc: "bash/bashrc", own: `. "$HOME/.bashrc"`, args: []string{"--rcfile", filepath.Join(state, "shell/bash/bashrc"), "-i"}},
		{shell: "/usr/bin/zsh", rc: "zsh/.zshrc", own: `. "$ZDOTDIR/.zshrc"`, env: []string{"KUBELAB_ZDOTDIR=/home/learner", "ZDOTDIR=" + filepath.Join(state, "shell/zsh")}},
		{shell: "/bin/dash", rc: "sh/shrc", own: `. "$KUBELAB_USER_ENV"`, args: []string{"-i"}, env: []string{"KUBELAB_USER_ENV=/home/learner/.shinit", "ENV=" + filepath.Join(state, "shell/sh/shrc")}},
	} {
		args, env, err := shellStart(state, tc.shell)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(args, tc.args) || !slices.Equal(env, tc.env) {
			t.Errorf("%s: args %q env %q, want %q %q", tc.shell, args, env, tc.args, tc.env)
		}
		data, err := os.ReadFile(filepath.Join(state, "shell", tc.rc))
		if err != nil {
			t.Fatal(err)
		}
		rc := string(data)
		own, prompt := strings.Index(rc, tc.own), strings.Index(rc, `(kubelab '"$KUBELAB_LESSON"', ns '"$KUBELAB_NAMESPACE"')`)
		if own < 0 || prompt < own {
			t.Errorf("%s: the rc does not read the learner's own (%s) before setting the prompt:\n%s", tc.shell, tc.own, rc)
		}
		if tc.shell != "/bin/dash" && !strings.Contains(rc, "kubectl completion "+filepath.Base(tc.shell)) {
			t.Errorf("%s: no kubectl completion:\n%s", tc.shell, rc)
		}
	}
	if args, env, err := shellStart(state, "/usr/bin/fish"); err != nil || args != nil || env != nil {
		t.Errorf("fish is left as it is: %q %q %v", args, env, err)
	}
}
