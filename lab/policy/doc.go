// Package policy is the one rule for what a lesson may make kubelab do.
//
// Lessons are shared between instructors, so a lesson folder is untrusted
// input: its solution commands and manifests must reach only the lab cluster
// and the lesson's own namespace. The same checks run in `kubelab lint` (with
// file:line) and again where the engine runs a command or applies a manifest,
// so a lesson that skips lint cannot get around them.
//
// A solution command is parsed by kubectl's own command tree (the flags mean
// exactly what kubectl makes of them), then checked:
//
//   - the verb works on objects (get, create, apply, patch, set, rollout, ...);
//     config, cp, proxy, port-forward, debug, attach, edit, plugins and the
//     node verbs are refused;
//   - no connection or identity flag (--kubeconfig, --context, --server,
//     --token, --as, ...) and no --namespace: the engine adds the lab's
//     kubeconfig and the lesson's namespace itself;
//   - writes only to namespaced kinds that kubelab knows, never to RBAC;
//     -A only on reads;
//   - files only from the lesson's folder (-f, --from-file), never URLs or
//     standard input; no flag that writes a file on this machine;
//   - nothing that makes a pod privileged or joins the node's namespaces.
//
// A manifest may hold objects of the namespaced kinds kubelab knows (without
// a namespace of their own), and PersistentVolumes; never RBAC, webhooks,
// APIServices, CRDs or Namespaces, and no privileged pod templates.
package policy
