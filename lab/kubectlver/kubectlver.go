// Package kubectlver decides which kubectl a learner gets: the one installed
// on PATH when its version is within kubectl's supported skew of the lab
// cluster's Kubernetes (one minor version either way), kubelab's own otherwise.
package kubectlver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/version"
)

// Timeout bounds how long an installed kubectl may take to say its version.
const Timeout = 2 * time.Second

// Installed is the kubectl a learner would run: the first on PATH.
type Installed struct {
	// Path is the kubectl's absolute path; empty when none is on PATH.
	Path string
	// Version is what it says it is; nil when it did not say (see Problem).
	Version *version.Version
	// Problem says why the version is unknown, e.g. "did not say its version within 2s".
	Problem string
}

// Find looks kubectl up in path (a PATH value, as the learner's shell would)
// and asks it `kubectl version --client -o json`, which needs no network. It
// runs with KUBECONFIG=/dev/null so it never reads a kubeconfig, and gets
// Timeout to answer.
func Find(ctx context.Context, path string) Installed {
	bin := lookPath(path)
	if bin == "" {
		return Installed{}
	}
	v, problem := ask(ctx, bin, path)
	return Installed{Path: bin, Version: v, Problem: problem}
}

// lookPath is exec.LookPath over a given PATH value.
func lookPath(path string) string {
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, "kubectl")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			if abs, err := filepath.Abs(p); err == nil {
				return abs
			}
			return p
		}
	}
	return ""
}

func ask(ctx context.Context, bin, path string) (*version.Version, string) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version", "--client", "-o", "json")
	cmd.Env = append(os.Environ(), "PATH="+path, "KUBECONFIG="+os.DevNull)
	cmd.WaitDelay = 200 * time.Millisecond // a child still holding stdout
	var out bytes.Buffer
	cmd.Stdout = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Sprintf("did not say its version within %s", Timeout)
	}
	if err != nil {
		return nil, fmt.Sprintf("failed to say its version (%v)", err)
	}
	v, err := parse(out.Bytes())
	if err != nil {
		return nil, "said a version kubelab cannot read"
	}
	return v, ""
}

// parse reads the clientVersion of `kubectl version --client -o json`.
func parse(data []byte) (*version.Version, error) {
	var doc struct {
		ClientVersion *struct {
			GitVersion string `json:"gitVersion"`
			Major      string `json:"major"`
			Minor      string `json:"minor"`
		} `json:"clientVersion"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.ClientVersion == nil {
		return nil, fmt.Errorf("no clientVersion")
	}
	if v, err := version.ParseGeneric(doc.ClientVersion.GitVersion); err == nil {
		return v, nil
	}
	// Some builds stamp only major and minor ("1", "32+").
	return version.ParseMajorMinor(doc.ClientVersion.Major + "." + strings.TrimSuffix(doc.ClientVersion.Minor, "+"))
}

// InSkew reports whether a kubectl of version client is supported against a
// server of version server: the same major version, minors at most one apart.
func InSkew(client, server *version.Version) bool {
	if client == nil || server == nil || client.Major() != server.Major() {
		return false
	}
	d := int(client.Minor()) - int(server.Minor())
	return d >= -1 && d <= 1
}

// Choice is the kubectl a learner gets, and why.
type Choice struct {
	Installed Installed
	// Lab is the lab cluster's Kubernetes version; Own is the version of
	// kubelab's own kubectl.
	Lab, Own *version.Version
	// UseOwn is true when kubelab's own kubectl stands in for the installed
	// one: none is installed, its version is unknown, or it is outside the skew.
	UseOwn bool
}

// Choose keeps the installed kubectl when it is within the skew of lab, and
// chooses kubelab's own (of version own) otherwise.
func Choose(in Installed, lab, own *version.Version) Choice {
	return Choice{Installed: in, Lab: lab, Own: own, UseOwn: !InSkew(in.Version, lab)}
}

// Which names the kubectl used: "kubelab's own (v1.37.2)" or the installed
// one's path and version.
func (c Choice) Which() string {
	if c.UseOwn {
		return "kubelab's own" + paren(c.Own)
	}
	return c.Installed.Path + paren(c.Installed.Version)
}

// Reason says why that kubectl is used and, when kubelab's own stands in for
// an installed one, how to run that one on purpose.
func (c Choice) Reason() string {
	in := c.Installed
	switch {
	case in.Path == "":
		return "no kubectl is installed"
	case in.Version == nil:
		return fmt.Sprintf("%s %s; to use it anyway, run %s", in.Path, in.Problem, in.Path)
	case c.UseOwn:
		return fmt.Sprintf("%s is %s, more than one minor version from the lab's Kubernetes %s; to use it anyway, run %s",
			in.Path, Format(in.Version), Format(c.Lab), in.Path)
	default:
		return "within one minor version of the lab's Kubernetes " + Format(c.Lab)
	}
}

// Why is Which and Reason in one sentence, for a banner or a comment.
func (c Choice) Why() string { return "kubectl is " + c.Which() + ": " + c.Reason() + "." }

func paren(x *version.Version) string {
	if x == nil {
		return ""
	}
	return " (" + Format(x) + ")"
}

// Format prints a version as Kubernetes does, "v1.37.2"; "unknown" for nil.
func Format(x *version.Version) string {
	if x == nil {
		return "unknown"
	}
	return "v" + x.String()
}
