package policy_test

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/lab/policy"
	"github.com/kubelab/kubelab/lessons"
)

// Hostile is the table of solution commands a lesson from elsewhere might
// hold; each must be refused, with the word that says why.
var Hostile = []struct{ cmd, why string }{
	{"kubectl create namespace pwned-by-lesson --kubeconfig /root/.kube/config", "--kubeconfig is refused"},
	{"kubectl create namespace pwned-by-lesson", "kubectl create namespace is refused"},
	{"kubectl get pods --kubeconfig=/tmp/other", "--kubeconfig is refused"},
	{"kubectl get pods --context prod", "--context is refused"},
	{"kubectl get pods -s https://10.0.0.1:6443", "--server is refused"},
	{"kubectl get pods --server=https://10.0.0.1:6443", "--server is refused"},
	{"kubectl get pods --token abc", "--token is refused"},
	{"kubectl get pods --user admin", "--user is refused"},
	{"kubectl delete pod web --as system:admin", "--as is refused"},
	{"kubectl get pods --insecure-skip-tls-verify", "--insecure-skip-tls-verify is refused"},
	{"kubectl get pods --profile cpu --profile-output /etc/x", "--profile"},
	{"kubectl delete pods --all -n kube-system", "--namespace is refused"},
	{"kubectl get secrets --namespace=kube-system", "--namespace is refused"},
	{"kubectl delete pods --all --all-namespaces", "--all-namespaces is refused"},
	{"kubectl delete pods --all -A", "--all-namespaces is refused"},
	{"kubectl cp web:/etc/passwd /tmp/passwd", "kubectl cp is refused"},
	{"kubectl proxy --port 8001", "kubectl proxy is refused"},
	{"kubectl port-forward pod/web 8080", "kubectl port-forward is refused"},
	{"kubectl debug node/kubelab-worker -it --image=busybox", "kubectl debug is refused"},
	{"kubectl attach web", "kubectl attach is refused"},
	{"kubectl config set-context --current --namespace=default", "kubectl config"},
	{"kubectl config view --raw", "kubectl config"},
	{"kubectl edit deployment web", "kubectl edit is refused"},
	{"kubectl pwn --now", "not a kubectl verb"},
	{"kubectl drain kubelab-worker", "kubectl drain is refused"},
	{"kubectl taint nodes kubelab-worker a=b:NoSchedule", "kubectl taint is refused"},
	{"kubectl certificate approve csr-1", "kubectl certificate approve is refused"},
	{"kubectl apply -f https://example.com/evil.yaml", "a URL is not a file of the lesson"},
	{"kubectl apply -f /etc/kubernetes/admin.yaml", "only files inside the lesson's folder"},
	{"kubectl apply -f ../other-lesson/x.yaml", "only files inside the lesson's folder"},
	{"kubectl apply -f -", "standard input"},
	{"kubectl create configmap c --from-file=key=/root/.ssh/id_rsa", "only files inside the lesson's folder"},
	{"kubectl create configmap c --from-env-file=/etc/environment", "only files inside the lesson's folder"},
	{"kubectl apply -k ./base", "-k/--kustomize is refused"},
	{"kubectl create clusterrolebinding me --clusterrole=cluster-admin --user=me", "kubectl create clusterrolebinding is refused"},
	{"kubectl create rolebinding me --clusterrole=admin --serviceaccount=x:y", "kubectl create rolebinding is refused"},
	{"kubectl create role r --verb=get --resource=pods", "kubectl create role is refused"},
	{"kubectl set subject rolebinding r --user=me", "kubectl set subject is refused"},
	{"kubectl label node kubelab-worker x=y", "nodes live outside the lesson's namespace"},
	{"kubectl delete namespace lab-cluster", "a lesson never changes namespace"},
	{"kubectl delete clusterrolebindings --all", "a lesson never changes clusterrolebindings"},
	{"kubectl delete pv reports-pv", "persistentvolumes live outside"},
	{"kubectl get --raw /api/v1/namespaces/kube-system/secrets", "--raw is refused"},
	{"kubectl run evil --image=kubelab/app:v1 --privileged", "--privileged is refused"},
	{`kubectl run evil --image=kubelab/app:v1 --overrides={"spec":{"hostPID":true}}`, "--overrides is refused"},
	{`kubectl patch deployment web -p '{"spec":{"template":{"spec":{"hostPID":true}}}}'`, "hostPID"},
	{`kubectl patch deployment web --type=json -p '[{"op":"add","path":"/spec/template/spec/hostNetwork","value":true}]'`, "hostNetwork"},
	{`kubectl patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}}'`, "privileged"},
	{"kubectl get pods | sh", "shell syntax"},
	{"kubectl get pods; rm -rf ~", "shell syntax"},
	{"kubectl get pods $(id)", "shell syntax"},
	{"kubectl logs -f web", "--follow is refused"},
	{"kubectl get pods -w", "--watch is refused"},
	{"kubectl get pods -o go-template-file=/etc/passwd", "-file template is refused"},
	{"kubectl diff -f x.yaml", "kubectl diff is refused"},
	{"kubectl auth reconcile -f rbac.yaml", "who may do what"},
	{"kubectl apply -f x.yaml --prune --all", "--prune is refused"},
	{"helm install x", "must start with kubectl"},
	{"kubectl label pod web {{ pv/reports .metadata.name }}=x", "reads only the lesson's namespace"},
}

func TestHostileCommandsAreRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range Hostile {
		_, err := policy.CheckCommand(tc.cmd)
		if err == nil {
			t.Errorf("%s: accepted", tc.cmd)
			continue
		}
		if !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: refused with %q, want it to say %q", tc.cmd, err, tc.why)
		}
	}
}

func TestObjectCommandsAreAllowed(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{
		"kubectl get pods -A",
		"kubectl get nodes -o wide",
		"kubectl describe node kubelab-worker",
		"kubectl exec web -- kubelab-app fetch http://localhost:8080/",
		"kubectl apply -f web.yaml",
		"kubectl apply --filename=web.yaml",
		"kubectl create configmap c --from-file=index.html=files/index.html",
		"kubectl delete pod web --grace-period=0 --force",
		"kubectl label pod web {{ pod/web .spec.nodeName }}=x --overwrite",
		"kubectl get pod web --request-timeout=5s",
		"kubectl auth can-i create pods",
		"kubectl rollout status deployment/web --timeout=60s",
		"kubectl create token default",
	} {
		if _, err := policy.CheckCommand(cmd); err != nil {
			t.Errorf("%s: refused: %v", cmd, err)
		}
	}
}

func TestFileArgumentsAreFound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cmd    string
		index  int
		prefix string
		name   string
		apply  bool
	}{
		{"kubectl apply -f web.yaml", 2, "", "web.yaml", true},
		{"kubectl apply --filename=web.yaml", 1, "--filename=", "web.yaml", true},
		{"kubectl apply -fweb.yaml", 1, "-f", "web.yaml", true},
		{"kubectl create configmap c --from-file=k=a/b.txt", 3, "--from-file=k=", "a/b.txt", false},
		{"kubectl create configmap c --from-file a/b.txt", 4, "", "a/b.txt", false},
	} {
		c, err := policy.CheckCommand(tc.cmd)
		if err != nil {
			t.Fatalf("%s: %v", tc.cmd, err)
		}
		if len(c.Files) != 1 || c.Files[0] != (policy.FileArg{Index: tc.index, Prefix: tc.prefix, Name: tc.name, Manifest: tc.apply}) {
			t.Errorf("%s: files %+v", tc.cmd, c.Files)
		}
	}
}

// HostileManifests are objects a lesson's setup or solution may not apply.
var HostileManifests = []struct{ yaml, why string }{
	{"kind: ClusterRoleBinding\nmetadata: {name: me}\nroleRef: {kind: ClusterRole, name: cluster-admin}\n", "kind ClusterRoleBinding is refused"},
	{"kind: RoleBinding\nmetadata: {name: me}\n", "kind RoleBinding is refused"},
	{"kind: ValidatingWebhookConfiguration\nmetadata: {name: w}\n", "what the API server calls"},
	{"kind: MutatingWebhookConfiguration\nmetadata: {name: w}\n", "refused"},
	{"kind: APIService\nmetadata: {name: v1.x}\n", "refused"},
	{"kind: CustomResourceDefinition\nmetadata: {name: x.y}\n", "refused"},
	{"kind: Namespace\nmetadata: {name: x}\n", "refused"},
	{"kind: Node\nmetadata: {name: x}\n", "outside the lesson's namespace"},
	{"kind: Gadget\nmetadata: {name: x}\n", "only the kinds it knows"},
	{"kind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\n", "metadata.namespace is refused"},
	{"kind: Pod\nmetadata: {name: x}\nspec:\n  hostPID: true\n  containers: [{name: a, image: b}]\n", "hostPID is refused"},
	{"kind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n", "hostNetwork is refused"},
	{"kind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: true\n", "privileged is refused"},
	{"kind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities: {add: [SYS_ADMIN]}\n", "capabilities is refused"},
	{"kind: Service\nmetadata: {name: x}\nspec:\n  externalIPs: [8.8.8.8]\n", "externalIPs is refused"},
	{"kind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ClusterRole\nmetadata: {name: x}\n", "kind ClusterRole is refused"},
}

func TestHostileManifestsAreRefusedAtTheirLine(t *testing.T) {
	t.Parallel()
	for _, tc := range HostileManifests {
		ps := policy.CheckManifest([]byte(tc.yaml))
		if len(ps) == 0 {
			t.Errorf("accepted:\n%s", tc.yaml)
			continue
		}
		if !strings.Contains(ps[0].Msg, tc.why) {
			t.Errorf("refused with %q, want %q:\n%s", ps[0].Msg, tc.why, tc.yaml)
		}
		if ps[0].Line < 1 {
			t.Errorf("no line for %q", ps[0].Msg)
		}
	}
	ps := policy.CheckManifest([]byte("kind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\n"))
	if len(ps) != 1 || ps[0].Line != 4 {
		t.Errorf("metadata.namespace at line 4: got %+v", ps)
	}
}

// Every built-in lesson keeps to the rule: its solutions and manifests pass.
func TestBuiltinLessonsKeepToTheRule(t *testing.T) {
	t.Parallel()
	fsys := lessons.FS()
	all, err := lesson.LoadAll(fsys, ".", lesson.Validators{})
	if err != nil {
		t.Fatal(err)
	}
	commands, manifests := 0, 0
	for _, l := range all {
		sols := []lesson.Solution{}
		files := []string{}
		for _, s := range l.Steps {
			sols = append(sols, s.Solution)
			files = append(files, s.Setup...)
		}
		for _, tk := range l.Tasks {
			sols = append(sols, tk.Solution)
			files = append(files, tk.Setup...)
		}
		for _, s := range sols {
			for _, c := range s.Commands {
				commands++
				if _, err := policy.CheckCommand(c); err != nil {
					t.Errorf("%s: %s: %v", l.ID, c, err)
				}
			}
			files = append(files, s.Manifests...)
		}
		for _, f := range files {
			manifests++
			data, err := fs.ReadFile(fsys, path.Join(l.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range policy.CheckManifest(data) {
				t.Errorf("%s/%s:%d: %s", l.Dir, f, p.Line, p.Msg)
			}
		}
	}
	if commands < 30 || manifests < 20 {
		t.Fatalf("checked only %d commands and %d manifests", commands, manifests)
	}
}

// BenchmarkCheckCommand measures one command through kubectl's own parser
// (lint runs it once per solution command).
func BenchmarkCheckCommand(b *testing.B) {
	for b.Loop() {
		if _, err := policy.CheckCommand("kubectl set image deployment/web app=kubelab/app:v2"); err != nil {
			b.Fatal(err)
		}
	}
}
