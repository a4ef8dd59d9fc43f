// Package app is kubelab's lesson app as a sandbox.Program: the program
// inside the kubelab/app images. On kind, cmd/kubelab-app runs it with a
// Proc made of the real OS; on the embedded cluster, the sandbox runs it
// in-process with the container's files, the pod's network and a meter.
// Every file, socket, name, host name, variable, output and resource the
// app uses goes through its Proc, so both are one program.
//
// One program plays every part a lesson needs, chosen by environment
// variables; lab/workload owns their names, the modes, ports, defaults and
// log lines:
//
//	KUBELAB_MODE      server (default) | worker | producer | queue | load | tail | proxy | adapter | db | job
//	KUBELAB_CRASH_AFTER  exit with status 1 after this long (CrashLoopBackOff)
//	KUBELAB_READY=false  /readyz fails (Running but not Ready)
//	KUBELAB_MEMORY    hold this much memory (OOMKilled over the limit: exit 137)
//	KUBELAB_HANG_AFTER  stop answering HTTP after this long, probes included (only a livenessProbe restarts it)
//	KUBELAB_QUEUE, KUBELAB_RATE, KUBELAB_TARGET, KUBELAB_CAPACITY  queues and load
//	KUBELAB_LOG_FILE  also append the access log to this file (sidecar lessons)
//	KUBELAB_FILE      the file a tail container follows
//	KUBELAB_LISTEN    the port a proxy listens on
//	KUBELAB_DATA_DIR  where /data/<name> is stored (default /data; volume lessons)
//	KUBELAB_ADDR      where the HTTP server listens
//	KUBELAB_VERSION   the image tag (v1, v2, v3, broken), set by the images
//
// Every mode but job and the sidecars (tail, proxy) serves /healthz,
// /readyz, /metrics (Prometheus text, lab/metrics names) and POST
// /kubelab/kill (workload.KillPath) on :8080; the adapter on :9113 and
// the db on :5432, since a pod's containers share its ports. A load pod
// says every 10 s which pods answered its requests, or why none did.
//
// Exit statuses: 0 when stopped (SIGTERM) or a job is done, 1 on a crash
// or bad configuration, 137 for a kill or OOM (the caller on a real OS
// dies of SIGKILL), 143 when stopped while hung (it dies of SIGTERM).
//
// The image also links the tools lesson texts run with kubectl exec
// (wget, cat, ls, touch): Tool gives them as Programs.
package app
