package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox"
)

// The client commands lesson texts tell a learner to run inside a lesson
// pod with `kubectl exec` (the image holds only this program, so each is a
// link to it, told apart by the name it was started as): enough of wget,
// cat, ls and touch for what the lesson texts show.
var tools = map[string]sandbox.Program{
	"wget":  wget,
	"cat":   cat,
	"ls":    ls,
	"touch": touch,
}

// Tool is the tool the image links as name (workload.Tools), if any.
func Tool(name string) (sandbox.Program, bool) {
	prog, ok := tools[name]
	return prog, ok
}

// ToolNames are the tools the app plays, sorted.
func ToolNames() []string {
	out := make([]string, 0, len(tools))
	for n := range tools {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// wget fetches one URL and prints the body: `wget -qO- URL`, `wget -O - URL`.
func wget(ctx context.Context, p *sandbox.Proc) int {
	args := p.Args[1:]
	var url string
	toStdout := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-q":
		case a == "-qO-" || a == "-O-" || a == "-qO" && i+1 < len(args) && args[i+1] == "-":
			toStdout = true
			if a == "-qO" {
				i++
			}
		case a == "-O" && i+1 < len(args) && args[i+1] == "-":
			toStdout = true
			i++
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(p.Stderr, "wget: this small wget knows only -q and -O -, not %s\n", a)
			return 2
		default:
			url = a
		}
	}
	if url == "" || !toStdout {
		fmt.Fprintln(p.Stderr, "usage: wget -qO- URL (prints what the URL answers)")
		return 2
	}
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(p.Stderr, "wget: %v\n", err)
		return 1
	}
	client := &http.Client{Transport: &http.Transport{DialContext: p.Net.Dial, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		fmt.Fprintf(p.Stderr, "wget: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if _, err := io.Copy(p.Stdout, resp.Body); err != nil {
		fmt.Fprintf(p.Stderr, "wget: %v\n", err)
		return 1
	}
	if resp.StatusCode >= 400 {
		fmt.Fprintf(p.Stderr, "wget: server returned error: HTTP %s\n", resp.Status)
		return 1
	}
	return 0
}

// cat prints files, or its input without any.
func cat(_ context.Context, p *sandbox.Proc) int {
	if len(p.Args) < 2 {
		if _, err := io.Copy(p.Stdout, p.Stdin); err != nil {
			fmt.Fprintf(p.Stderr, "cat: %v\n", err)
			return 1
		}
		return 0
	}
	code := 0
	for _, name := range p.Args[1:] {
		data, err := readFile(p.FS, name)
		if err != nil {
			fmt.Fprintf(p.Stderr, "cat: %v\n", err)
			code = 1
			continue
		}
		_, _ = p.Stdout.Write(data)
	}
	return code
}

func ls(_ context.Context, p *sandbox.Proc) int {
	args := p.Args[1:]
	if len(args) == 0 {
		args = []string{"."}
	}
	code := 0
	for _, dir := range args {
		entries, err := p.FS.ReadDir(dir)
		if err != nil {
			fmt.Fprintf(p.Stderr, "ls: %v\n", err)
			code = 1
			continue
		}
		for _, e := range entries {
			fmt.Fprintln(p.Stdout, e.Name())
		}
	}
	return code
}

func touch(_ context.Context, p *sandbox.Proc) int {
	code := 0
	now := time.Now()
	for _, name := range p.Args[1:] {
		f, err := p.FS.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			err = f.Close()
		}
		if err == nil {
			err = p.FS.Chtimes(name, now, now)
		}
		if err != nil {
			fmt.Fprintf(p.Stderr, "touch: %v\n", err)
			code = 1
		}
	}
	return code
}
