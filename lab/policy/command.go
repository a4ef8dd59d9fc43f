package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"

	"github.com/kubelab/kubelab/lab/check"
)

// Command is a solution command that passed the rule.
type Command struct {
	// Args are kubectl's arguments, without the leading "kubectl".
	Args []string
	// Verb is kubectl's command path without "kubectl": "create configmap".
	Verb string
	// Files are the indexes in Args of the values that name lesson files
	// (-f, --from-file); the engine replaces them with real paths.
	Files []FileArg
}

// FileArg is one argument of a Command that names a file of the lesson.
type FileArg struct {
	Index  int    // in Command.Args
	Prefix string // kept before the path: "--filename=", "--from-file=key="
	Name   string // the file, relative to the lesson's folder
	// Manifest is set for -f/--filename: the file holds objects to apply,
	// checked as setup manifests are.
	Manifest bool
}

// refRE finds {{ kind/name path }} references, whatever the path's syntax.
var refRE = regexp.MustCompile(`\{\{\s*([^\s}]+)\s*(.*?)\}\}`)

// CheckCommand checks one solution command line as written in a lesson:
// its {{ kind/name path }} references are checked (CheckRef) and, with its
// {{ cluster.NAME }} facts, stand in for a plain value, then the command is checked as Parse does.
func CheckCommand(line string) (*Command, error) {
	var refErr error
	plain := refRE.ReplaceAllStringFunc(line, func(m string) string {
		sub := refRE.FindStringSubmatch(m)
		if strings.HasPrefix(sub[1], "cluster.") && strings.TrimSpace(sub[2]) == "" {
			return "fact" // {{ cluster.NAME }}: a fact of the cluster's nodes (lesson.Facts), checked by lint
		}
		if err := CheckRef(sub[1]); err != nil && refErr == nil {
			refErr = fmt.Errorf("%s: %w", strings.TrimSpace(m), err)
		}
		return "ref"
	})
	if refErr != nil {
		return nil, refErr
	}
	return Parse(plain)
}

// CheckRef checks the object of a {{ kind/name path }} reference: it may
// only be an object of the lesson's namespace, or a node of the lab.
func CheckRef(ref string) error {
	k, _, err := check.ParseObject(ref)
	if err != nil {
		return err
	}
	if !k.Namespaced && k.Name != "node" {
		return fmt.Errorf("a reference reads only the lesson's namespace and the lab's nodes, not %s", k.Plural)
	}
	return nil
}

// Parse splits a command line (references already expanded) into words as a
// shell would for these simple commands, parses them with kubectl's own
// flags, and checks them against the rule. Its error is one sentence that
// says what is refused and why.
func Parse(line string) (*Command, error) {
	words, err := split(line)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 || words[0] != "kubectl" {
		return nil, errors.New("a solution command must start with kubectl")
	}
	args := words[1:]
	root := kubectlTree()
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		if len(args) == 0 {
			return nil, errors.New("kubectl needs a verb, such as get or create")
		}
		return nil, fmt.Errorf("kubectl %s is not a kubectl verb (plugins are refused: they run programs on this machine)", args[0])
	}
	verb := strings.TrimPrefix(cmd.CommandPath(), "kubectl ")
	if why := refusedVerb(verb); why != "" {
		return nil, fmt.Errorf("kubectl %s is refused: %s", verb, why)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return nil, fmt.Errorf("kubectl %s: %v", verb, err)
	}
	c := &Command{Args: args, Verb: verb}
	if err := c.checkFlags(cmd); err != nil {
		return nil, err
	}
	if err := c.checkObjects(cmd.Flags().Args()); err != nil {
		return nil, err
	}
	return c, nil
}

// treeMu serialises building the tree: kubectl sets package globals (its
// completion factory) while it builds one.
var treeMu sync.Mutex

// kubectlTree builds kubectl's command tree, which only parses here: it
// never runs. A fresh tree each time: parsing marks its flags as set.
func kubectlTree() *cobra.Command {
	treeMu.Lock()
	defer treeMu.Unlock()
	return kubectlcmd.NewKubectlCommand(kubectlcmd.KubectlOptions{
		IOStreams:   genericiooptions.NewTestIOStreamsDiscard(),
		ConfigFlags: genericclioptions.NewConfigFlags(true),
		Arguments:   []string{"kubectl"},
	})
}

// refusedVerb says why a verb is refused, or "" for a verb on objects.
func refusedVerb(verb string) string {
	first, _, _ := strings.Cut(verb, " ")
	switch first {
	case "get", "describe", "create", "apply", "patch", "replace", "label", "annotate", "scale", "set", "rollout",
		"expose", "run", "delete", "wait", "logs", "exec", "autoscale", "top", "explain", "events",
		"api-resources", "api-versions", "version":
	case "auth":
		if verb == "auth can-i" || verb == "auth whoami" {
			return ""
		}
		return "it changes who may do what"
	case "config":
		return "it changes kubeconfig files on this machine; the engine chooses the cluster"
	case "cp":
		return "it copies files between the lab's pods and this machine"
	case "proxy", "port-forward":
		return "it opens a port on this machine and keeps running"
	case "debug":
		return "it can start a privileged pod on a node"
	case "attach":
		return "it waits on a running container's terminal"
	case "edit":
		return "it opens an editor; give the change as patch, set or apply"
	case "drain", "cordon", "uncordon", "taint", "certificate":
		return "it changes the cluster's nodes or credentials, outside the lesson's namespace"
	case "diff":
		return "it runs a diff program on this machine"
	default: // kustomize, plugin, completion, alpha, options, cluster-info...
		return "it does not work on the lesson's objects"
	}
	switch verb {
	case "set subject":
		return "it changes who may do what"
	case "apply edit-last-applied":
		return "it opens an editor"
	}
	return ""
}

// globalAllowed are kubectl's global flags a solution may set; every other
// global flag chooses the cluster, the identity or files on this machine.
var globalAllowed = map[string]bool{
	"request-timeout": true, "warnings-as-errors": true, "match-server-version": true, "disable-compression": true,
}

// fileFlags take a lesson file as their value.
var fileFlags = map[string]bool{"filename": true, "from-file": true, "from-env-file": true}

func (c *Command) checkFlags(cmd *cobra.Command) error {
	local := cmd.LocalNonPersistentFlags()
	read := readVerbs[strings.Fields(c.Verb)[0]]
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		name := f.Name
		switch {
		case name == "namespace":
			err = errors.New("-n/--namespace is refused: the engine runs every command in the lesson's namespace; drop it")
		case local.Lookup(name) == nil && !globalAllowed[name]:
			err = fmt.Errorf("--%s is refused: the engine connects to the lab cluster itself, as the lab's own user", name)
		case name == "all-namespaces" && !read:
			err = fmt.Errorf("kubectl %s --all-namespaces is refused: a lesson changes only its own namespace", c.Verb)
		case name == "raw":
			err = errors.New("--raw is refused: it reaches any API path, outside the lesson's namespace")
		case name == "overrides" || name == "privileged":
			err = fmt.Errorf("--%s is refused: it can make a pod privileged or join the node's namespaces", name)
		case name == "prune" || name == "prune-allowlist":
			err = errors.New("--prune is refused: it deletes objects the lesson did not name")
		case name == "kustomize":
			err = errors.New("-k/--kustomize is refused: give the manifests as files of the lesson")
		case name == "watch" || name == "watch-only" || (name == "follow" && c.Verb == "logs"):
			err = fmt.Errorf("--%s is refused: the command would never end", name)
		case name == "output" && strings.Contains(f.Value.String(), "-file"):
			err = errors.New("an -o ...-file template is refused: it reads a file on this machine")
		case name == "template":
			err = errors.New("--template is refused: it can read a file on this machine; use -o jsonpath instead")
		case fileFlags[name]:
			err = c.fileValues(f)
		}
	})
	if err != nil {
		return err
	}
	if f := cmd.Flags().Lookup("patch-file"); f != nil && f.Changed {
		return errors.New("--patch-file is refused: give the patch inline with -p")
	}
	return c.checkPatch(cmd)
}

// fileValues checks that every value of a file flag is a file of the lesson
// and records where it is in Args.
func (c *Command) fileValues(f *pflag.Flag) error {
	var values []string
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		values = sv.GetSlice()
	} else {
		values = []string{f.Value.String()}
	}
	for _, v := range values {
		prefix, name := "", v
		if f.Name == "from-file" {
			if k, p, ok := strings.Cut(v, "="); ok {
				prefix, name = k+"=", p
			}
		}
		if err := lessonFile(name); err != nil {
			return fmt.Errorf("--%s %s is refused: %v", f.Name, v, err)
		}
		idx, flagPrefix := c.argIndex(f, v)
		if idx < 0 {
			return fmt.Errorf("--%s %s: give the file as its own word", f.Name, v)
		}
		c.Files = append(c.Files, FileArg{Index: idx, Prefix: flagPrefix + prefix, Name: name, Manifest: f.Name == "filename"})
	}
	return nil
}

// argIndex finds the word of Args that holds value v of flag f, and what
// stands before v in that word ("--filename=" in --filename=x.yaml).
func (c *Command) argIndex(f *pflag.Flag, v string) (int, string) {
	for i, a := range c.Args {
		for _, form := range []string{"--" + f.Name + "=", "-" + f.Shorthand + "="} {
			if form != "-=" && a == form+v {
				return i, form
			}
		}
		if i > 0 && a == v && (c.Args[i-1] == "--"+f.Name || (f.Shorthand != "" && c.Args[i-1] == "-"+f.Shorthand)) {
			return i, ""
		}
		if f.Shorthand != "" && a == "-"+f.Shorthand+v {
			return i, "-" + f.Shorthand
		}
	}
	return -1, ""
}

// lessonFile checks that name is a plain path inside the lesson's folder.
func lessonFile(name string) error {
	switch {
	case name == "" || name == "-":
		return errors.New("standard input is not a file of the lesson")
	case strings.Contains(name, "://"):
		return errors.New("a URL is not a file of the lesson")
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, "~") || strings.Contains(name, ".."):
		return errors.New("only files inside the lesson's folder may be used")
	}
	return nil
}

// readVerbs only read objects; they may look across namespaces.
var readVerbs = map[string]bool{
	"get": true, "describe": true, "explain": true, "top": true, "events": true, "logs": true, "wait": true,
	"api-resources": true, "api-versions": true, "version": true, "auth": true,
}

// typedVerbs take a resource type (or type/name) as their first argument.
var typedVerbs = map[string]bool{
	"delete": true, "label": true, "annotate": true, "patch": true, "scale": true, "set": true, "rollout": true,
	"expose": true, "autoscale": true, "wait": true, "get": true, "describe": true, "replace": true,
}

// createKinds are what `kubectl create SUB` makes; the subcommands not listed
// (namespace, role, rolebinding, clusterrole, clusterrolebinding,
// priorityclass) are refused.
var createKinds = map[string]string{
	"configmap": "configmap", "secret": "secret", "deployment": "deployment", "job": "job", "cronjob": "cronjob",
	"service": "service", "ingress": "ingress", "serviceaccount": "serviceaccount", "token": "serviceaccount",
	"poddisruptionbudget": "poddisruptionbudget", "quota": "resourcequota",
}

func (c *Command) checkObjects(args []string) error {
	words := strings.Fields(c.Verb)
	if words[0] == "create" && len(words) > 1 {
		if _, ok := createKinds[words[1]]; !ok {
			return fmt.Errorf("kubectl %s is refused: a lesson creates objects only in its own namespace, and never changes who may do what", c.Verb)
		}
		return nil
	}
	if !typedVerbs[words[0]] || len(args) == 0 {
		return nil
	}
	read := readVerbs[words[0]] || c.Verb == "rollout status" || c.Verb == "rollout history"
	var types []string
	for i, a := range args {
		switch {
		case strings.Contains(a, "/") && !strings.Contains(a, "="):
			t, _, _ := strings.Cut(a, "/")
			types = append(types, t)
		case i == 0:
			types = append(types, strings.Split(a, ",")...)
		}
	}
	for _, t := range types {
		if err := writable(t); err != nil && !read {
			return fmt.Errorf("kubectl %s %s is refused: %v", c.Verb, t, err)
		}
	}
	return nil
}

// writable says whether a solution may change objects of resource type t.
func writable(t string) error {
	if t == "all" || t == "ref" {
		return nil
	}
	name, _, _ := strings.Cut(strings.ToLower(t), ".")
	if name == "ns" || powerKinds[name] || powerKinds[strings.TrimSuffix(name, "s")] || powerKinds[strings.TrimSuffix(name, "es")] {
		return fmt.Errorf("a lesson never changes %s: they decide who may do what, or what the cluster is", t)
	}
	k, err := check.LookupResource(name)
	if err != nil {
		return fmt.Errorf("kubelab does not know %q, so it cannot tell that it stays in the lesson's namespace", t)
	}
	if !k.Namespaced {
		return fmt.Errorf("%s live outside the lesson's namespace", k.Plural)
	}
	return nil
}

// checkPatch refuses a patch that would make a pod privileged or join the
// node's namespaces (what a manifest may not do either).
func (c *Command) checkPatch(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup("patch")
	if c.Verb != "patch" || f == nil || !f.Changed {
		return nil
	}
	if key := forbiddenKeyIn(f.Value.String()); key != "" {
		return fmt.Errorf("this patch is refused: %s", podRules[key])
	}
	return nil
}

// split splits a command into words, honouring single and double quotes, and
// refuses shell syntax: a solution is one plain kubectl command.
func split(cmd string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range cmd {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|;&<>`$", r):
			return nil, fmt.Errorf("shell syntax (%c) is refused: give one plain kubectl command per line", r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("the command has an unclosed quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
