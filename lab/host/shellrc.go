package host

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// labPrompt is the prompt's lead, in POSIX shell words: it names the lesson
// and its namespace (from the environment the shell starts with).
const labPrompt = `'(kubelab '"$KUBELAB_LESSON"', ns '"$KUBELAB_NAMESPACE"') '`

// The rc files kubelab writes in its state directory for the lab shell. Each
// reads the learner's own first, so their aliases and settings stay; then
// kubelab names the lesson in the prompt and, where the shell can, loads
// kubectl's completion from the kubectl the shell will run.
var shellRCs = map[string]map[string]string{
	"bash": {"bashrc": `# kubelab's lab shell: your own ~/.bashrc first, then the lab's prompt and kubectl completion.
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
PS1=` + labPrompt + `'\w \$ '
if command -v kubectl >/dev/null 2>&1; then
	. <(kubectl completion bash 2>/dev/null)
fi
`},
	"zsh": {
		".zshenv": `# kubelab's lab shell: your own .zshenv.
[ -f "${KUBELAB_ZDOTDIR:-$HOME}/.zshenv" ] && . "${KUBELAB_ZDOTDIR:-$HOME}/.zshenv"
`,
		".zshrc": `# kubelab's lab shell: your own .zshrc first, then the lab's prompt and kubectl completion.
ZDOTDIR="${KUBELAB_ZDOTDIR:-$HOME}"
[ -f "$ZDOTDIR/.zshrc" ] && . "$ZDOTDIR/.zshrc"
PROMPT=` + labPrompt + `'%~ %# '
if command -v kubectl >/dev/null 2>&1; then
	(( $+functions[compdef] )) || { autoload -Uz compinit && compinit -u; }
	source <(kubectl completion zsh 2>/dev/null)
fi
`},
	"sh": {"shrc": `# kubelab's lab shell: your own $ENV file first, then the lab's prompt.
[ -n "$KUBELAB_USER_ENV" ] && [ -f "$KUBELAB_USER_ENV" ] && . "$KUBELAB_USER_ENV"
PS1=` + labPrompt + `'$ '
`},
}

// shellFamily is the rc family of the shell program: bash, zsh, sh (POSIX
// shells that read $ENV), or "" for shells kubelab leaves as they are.
func shellFamily(shell string) string {
	switch filepath.Base(shell) {
	case "bash":
		return "bash"
	case "zsh":
		return "zsh"
	case "sh", "dash", "ash", "ksh", "mksh":
		return "sh"
	}
	return ""
}

// shellStart writes the lab shell's rc files for shell under stateDir/shell
// and returns the arguments that start it with them and what to add to its
// environment. The learner's own rc files are read, never written.
func shellStart(stateDir, shell string) (args, env []string, err error) {
	family := shellFamily(shell)
	if family == "" {
		return nil, nil, nil
	}
	dir := filepath.Join(stateDir, "shell", family)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	for name, body := range shellRCs[family] {
		if err := atomicfile.Write(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return nil, nil, err
		}
	}
	switch family {
	case "bash":
		return []string{"--rcfile", filepath.Join(dir, "bashrc"), "-i"}, nil, nil
	case "zsh":
		own := os.Getenv("ZDOTDIR")
		if own == "" {
			own = os.Getenv("HOME")
		}
		return nil, []string{"KUBELAB_ZDOTDIR=" + own, "ZDOTDIR=" + dir}, nil
	default:
		return []string{"-i"}, []string{"KUBELAB_USER_ENV=" + os.Getenv("ENV"), "ENV=" + filepath.Join(dir, "shrc")}, nil
	}
}

// editor is the KUBE_EDITOR to set for `kubectl edit`: "" when the learner
// chose one (KUBE_EDITOR or EDITOR), else the first of nano, vim, vi that
// is installed.
func editor() string {
	if os.Getenv("KUBE_EDITOR") != "" || os.Getenv("EDITOR") != "" {
		return ""
	}
	for _, e := range []string{"nano", "vim", "vi"} {
		if _, err := exec.LookPath(e); err == nil {
			return e
		}
	}
	return ""
}

// editorLine is the banner's line about the editor kubelab set.
func editorLine(e string) string {
	other := "vim"
	if strings.HasPrefix(e, "vi") {
		other = "nano"
	}
	return "  kubectl edit opens " + e + "; to use another editor: export KUBE_EDITOR=" + other + " (or add it to your shell's rc file).\n"
}
