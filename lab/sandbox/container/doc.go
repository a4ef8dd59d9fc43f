// Package container runs a container of the embedded cluster inside
// kubelab: its file tree (lab/sandbox/vfs), its process table with
// signals and a process limit, and its programs (sandbox.Program) started
// by path as execve(2) would, never a host program.
//
// A kubelet makes one Container per container start, with the image's
// layers, the image's programs, the volumes and the pod's network:
//
//	c, err := container.New(container.Config{
//		Image:    []fs.FS{layer},                     // the image's files
//		Programs: tools.Busybox().At("/bin"),         // path -> Program
//		Mounts:   []vfs.Mount{{Path: "/data", Volume: emptyDir}},
//		Files:    map[string][]byte{"/etc/hosts": container.EtcHosts("10.244.0.5", "web-0")},
//		Env:      []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
//		Hostname: "web-0",
//		Net:      podNet,                              // the pod's sandbox.Net
//		Stdout:   logWriter, Stderr: logWriter,        // the container's log
//	})
//	status, err := c.Run(ctx, []string{"sh", "-c", "echo hello from $(hostname)"})
//	// err is an *sandbox.ExecError for a missing executable: StartError, 128,
//	// with err.Error()'s text (containerd's message).
//	// Cancelling ctx sends SIGTERM to the main process; c.Kill() sends SIGKILL
//	// to all (after the grace period): Run then returns 137.
//
// kubectl exec and exec probes run in the same container while Run runs:
//
//	status, err := c.Exec(ctx, []string{"cat", "/tmp/healthy"}, stdin, stdout, stderr, false)
package container
