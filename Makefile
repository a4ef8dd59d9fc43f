# kubelab: `make run` starts the lab, `make test` proves it.
SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
# The Kubernetes version linked in, stamped as the components expect.
LDFLAGS := -X k8s.io/component-base/version.gitVersion=v1.37.2 \
           -X k8s.io/component-base/version.gitMajor=1 \
           -X k8s.io/component-base/version.gitMinor=37
STATICCHECK_VERSION := v0.7.0
# Tests find the cluster program here instead of building their own.
export KUBELAB_CLUSTER_BINARY := $(BIN)/kubelab-cluster
export KUBELAB_BINARY := $(BIN)/kubelab

.PHONY: all build run test bench lint clean deps e2e-kind node-image bench-kind

all: build

## build: the kubelab CLI, the kubelab-cluster program (the embedded control plane),
## and the lesson app for the kind nodes (static, linux/amd64 and linux/arm64)
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/kubelab ./cmd/kubelab-cluster
	for arch in amd64 arm64; do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/kubelab-app-linux-$$arch ./cmd/kubelab-app || exit 1; \
	done

## run: build, then open the lab (the TUI brings the embedded cluster up)
run: build
	$(BIN)/kubelab

## deps: what the tests need beyond Go: tmux (the terminal journey), from Debian packages
deps:
	@command -v tmux >/dev/null || { echo "installing tmux (Debian package)"; \
	  (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null || \
	  { echo "could not install tmux: run 'sudo apt-get install tmux'"; exit 1; }; }

## test: every test, against a real embedded cluster
test: build deps
	$(GO) test -count=1 ./...

## bench: start-up time, memory and workload speed of the embedded cluster
bench: build
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 5x ./...

## lint: formatting, go vet, and staticcheck (installed from the Go module proxy)
lint:
	@out=$$(gofmt -l cmd lab lessons tui assets); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if ! command -v staticcheck >/dev/null; then $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) || echo "staticcheck did not install; skipped"; fi
	@if command -v staticcheck >/dev/null || [ -x "$$($(GO) env GOPATH)/bin/staticcheck" ]; then PATH="$$PATH:$$($(GO) env GOPATH)/bin" staticcheck ./...; fi

## node-image: a Docker engine (Debian packages) and kubelab's kind node image for
## Kubernetes v1.37.2, built without a registry (cached by its inputs)
node-image:
	.ci/kind/docker-up
	.ci/kind/build-node-image kubelab/node:v1.37.2

## e2e-kind: real kind: up (kind) -> lesson images loaded -> the lessons' proofs on
## real containers -> down, leaving no containers behind
e2e-kind: build node-image
	KUBELAB_NODE_IMAGE=kubelab/node:v1.37.2 $(GO) test -count=1 -tags e2e -timeout 40m -v -run TestKind ./cmd/kubelab/

## bench-kind: kubelab up on kind against a bare kind create (same config and image)
bench-kind: build node-image
	KUBELAB_NODE_IMAGE=kubelab/node:v1.37.2 $(GO) test -count=1 -tags e2e -timeout 40m -run '^$$' -bench KindUp -benchtime $(or $(BENCHTIME),3x) ./cmd/kubelab/

clean:
	rm -rf $(BIN)
