package class

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	authv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// Token asks for a token of ServiceAccount ns/sa that lasts d, and returns
// it with when it expires (the API server may shorten d). d is at least 10
// minutes, the API's least; 0 is DefaultDuration.
func Token(ctx context.Context, cs kubernetes.Interface, ns, sa string, d time.Duration) (string, time.Time, error) {
	switch {
	case d <= 0:
		d = DefaultDuration
	case d < 10*time.Minute:
		d = 10 * time.Minute
	}
	secs := int64(d / time.Second)
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa, &authv1.TokenRequest{
		Spec: authv1.TokenRequestSpec{ExpirationSeconds: &secs},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("request a token for %s/%s: %w", ns, sa, err)
	}
	return tr.Status.Token, tr.Status.ExpirationTimestamp.Time, nil
}

// KubeconfigPath is where Create writes learner's kubeconfig in dir.
func KubeconfigPath(dir, learner string) string {
	return filepath.Join(dir, learner+".kubeconfig")
}

func writeKubeconfig(ctx context.Context, cs kubernetes.Interface, base *rest.Config, spec Spec, learner string) (string, time.Time, error) {
	home := HomeNamespace(spec.Name, learner)
	token, exp, err := Token(ctx, cs, home, LearnerServiceAccount, spec.duration())
	if err != nil {
		return "", time.Time{}, err
	}
	data, err := Kubeconfig(base, spec.Server, spec.CA, spec.Name, learner, home, token)
	if err != nil {
		return "", time.Time{}, err
	}
	dir := spec.outDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", time.Time{}, fmt.Errorf("make the kubeconfig folder: %w", err)
	}
	path := KubeconfigPath(dir, learner)
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return "", time.Time{}, fmt.Errorf("write %s: %w", path, err)
	}
	return path, exp, nil
}

// Kubeconfig is a kubeconfig for learner of class with token, on base's API
// server (or server, with ca, when set), in namespace ns.
func Kubeconfig(base *rest.Config, server string, ca []byte, class, learner, ns, token string) ([]byte, error) {
	if server == "" {
		server = base.Host
	}
	if ca == nil {
		ca = base.CAData
		if ca == nil && base.CAFile != "" {
			var err error
			if ca, err = os.ReadFile(base.CAFile); err != nil {
				return nil, fmt.Errorf("read the cluster's CA: %w", err)
			}
		}
	}
	name := "kubelab-" + class + "-" + learner
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca,
		InsecureSkipTLSVerify: base.Insecure && ca == nil, TLSServerName: base.ServerName}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: ns}
	cfg.CurrentContext = name
	return clientcmd.Write(*cfg)
}

// WatcherConfig is a client config that authenticates as class's watcher
// (a token lasting d), which may only read the learners' home ConfigMaps:
// `class watch` runs with it and holds no write permission.
func WatcherConfig(ctx context.Context, admin kubernetes.Interface, base *rest.Config, class string, d time.Duration) (*rest.Config, error) {
	token, _, err := Token(ctx, admin, ClassNamespace(class), WatcherServiceAccount, d)
	if err != nil {
		return nil, err
	}
	cfg := rest.AnonymousClientConfig(base)
	cfg.BearerToken = token
	return cfg, nil
}
