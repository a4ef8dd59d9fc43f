// Command etcd is etcd's own server, built from go.etcd.io/etcd for the kind
// node image's etcd component image.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
