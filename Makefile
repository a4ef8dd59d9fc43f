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

.PHONY: all build run test bench lint clean deps

all: build

## build: the kubelab CLI and the kubelab-cluster program (the embedded control plane)
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/kubelab ./cmd/kubelab-cluster

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

clean:
	rm -rf $(BIN)
