package app

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/kubelab/kubelab/lab/workload"
)

// proxy forwards TCP connections from localhost:KUBELAB_LISTEN to
// KUBELAB_TARGET (an ambassador).
func (a *app) proxy(ctx context.Context) error {
	listen := "127.0.0.1:" + a.env.Get(workload.EnvListen, workload.DefaultListen)
	target := a.env(workload.EnvTarget)
	ln, err := a.p.Net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); _ = ln.Close() }()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a.goWait(func() { a.forward(ctx, c, target) })
	}
}

func (a *app) forward(ctx context.Context, c net.Conn, target string) {
	defer c.Close()
	dial, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	up, err := a.p.Net.Dial(dial, "tcp", target)
	if err != nil {
		a.logf("proxy: %s unreachable: %v", target, err)
		return
	}
	defer up.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.Close(); _ = up.Close() })
	defer stop()
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
}
