package main

import (
	"context"

	"github.com/kubelab/kubelab/lab/workload"
)

func (a *app) load(ctx context.Context) {
	target := "http://" + a.env.Get(workload.EnvTarget, workload.DefaultLoadTarget) + "/"
	every(ctx, a.env.Float(workload.EnvRate, workload.DefaultRate(workload.ModeLoad)), func() {
		go func() {
			resp, err := a.client.Get(target)
			if err == nil {
				_ = resp.Body.Close()
			}
		}()
	})
}
