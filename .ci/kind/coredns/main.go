// Command coredns is CoreDNS with its standard plugins, built from
// github.com/coredns/coredns for the kind node image's coredns image.
package main

import (
	_ "github.com/coredns/coredns/core/plugin"
	"github.com/coredns/coredns/coremain"
)

func main() { coremain.Run() }
