package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"
)

// Tools are the few client commands lessons tell a learner to run inside
// a lesson pod with `kubectl exec` (the image holds only this program, so
// each is a link to it, told apart by the name it was started as): enough
// of wget, cat, ls and touch for what the lesson texts show.
var tools = map[string]func(args []string, out, errOut io.Writer) int{
	"wget":  wget,
	"cat":   cat,
	"ls":    ls,
	"touch": touch,
}

// toolNames are the commands this program plays, sorted.
func toolNames() []string {
	var out []string
	for n := range tools {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// wget fetches one URL and prints the body: `wget -qO- URL`, `wget -O - URL`.
func wget(args []string, out, errOut io.Writer) int {
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
			fmt.Fprintf(errOut, "wget: this small wget knows only -q and -O -, not %s\n", a)
			return 2
		default:
			url = a
		}
	}
	if url == "" || !toStdout {
		fmt.Fprintln(errOut, "usage: wget -qO- URL (prints what the URL answers)")
		return 2
	}
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintf(errOut, "wget: %v\n", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(errOut, "wget: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if _, err := io.Copy(out, resp.Body); err != nil {
		fmt.Fprintf(errOut, "wget: %v\n", err)
		return 1
	}
	if resp.StatusCode >= 400 {
		fmt.Fprintf(errOut, "wget: server returned error: HTTP %s\n", resp.Status)
		return 1
	}
	return 0
}

func cat(args []string, out, errOut io.Writer) int {
	code := 0
	for _, name := range args {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(errOut, "cat: %v\n", err)
			code = 1
			continue
		}
		_, _ = out.Write(data)
	}
	return code
}

func ls(args []string, out, errOut io.Writer) int {
	if len(args) == 0 {
		args = []string{"."}
	}
	code := 0
	for _, dir := range args {
		entries, err := os.ReadDir(dir)
		if err != nil {
			fmt.Fprintf(errOut, "ls: %v\n", err)
			code = 1
			continue
		}
		for _, e := range entries {
			fmt.Fprintln(out, e.Name())
		}
	}
	return code
}

func touch(args []string, _, errOut io.Writer) int {
	code := 0
	now := time.Now()
	for _, name := range args {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			err = f.Close()
		}
		if err == nil {
			err = os.Chtimes(name, now, now)
		}
		if err != nil {
			fmt.Fprintf(errOut, "touch: %v\n", err)
			code = 1
		}
	}
	return code
}
