package tools

import (
	"io/fs"

	"github.com/kubelab/kubelab/lab/sandbox"
)

type sandboxStat = sandbox.Stat

const (
	modeSymlink    = fs.ModeSymlink
	modeNamedPipe  = fs.ModeNamedPipe
	modeSocket     = fs.ModeSocket
	modeCharDevice = fs.ModeCharDevice
	modeDevice     = fs.ModeDevice
	modeSetuid     = fs.ModeSetuid
	modeSetgid     = fs.ModeSetgid
	modeSticky     = fs.ModeSticky
)
