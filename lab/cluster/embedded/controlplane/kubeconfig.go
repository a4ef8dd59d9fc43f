package controlplane

import (
	"fmt"
	"os"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/kubelab/kubelab/lab/atomicfile"
	"github.com/kubelab/kubelab/lab/cluster/embedded/pki"
)

// ContextName is the kubeconfig context, cluster and user name of a lab cluster.
const ContextName = "kubelab"

// writeKubeconfig writes a kubeconfig for id, mode 0600, atomically. With
// embed, certificates are inlined so the file stands alone (the learner's);
// otherwise it points at the pki files (the components').
func writeKubeconfig(path string, set pki.Set, id pki.Identity, server string, embed bool) error {
	cfg := clientcmdapi.NewConfig()
	cluster := clientcmdapi.NewCluster()
	cluster.Server = server
	user := clientcmdapi.NewAuthInfo()
	if embed {
		ca, err := os.ReadFile(set.Path("ca.crt"))
		if err != nil {
			return err
		}
		cert, err := os.ReadFile(set.CertPath(id))
		if err != nil {
			return err
		}
		key, err := os.ReadFile(set.KeyPath(id))
		if err != nil {
			return err
		}
		cluster.CertificateAuthorityData = ca
		user.ClientCertificateData = cert
		user.ClientKeyData = key
	} else {
		cluster.CertificateAuthority = set.Path("ca.crt")
		user.ClientCertificate = set.CertPath(id)
		user.ClientKey = set.KeyPath(id)
	}
	cfg.Clusters[ContextName] = cluster
	cfg.AuthInfos[ContextName] = user
	kctx := clientcmdapi.NewContext()
	kctx.Cluster = ContextName
	kctx.AuthInfo = ContextName
	kctx.Namespace = "default"
	cfg.Contexts[ContextName] = kctx
	cfg.CurrentContext = ContextName
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("encode kubeconfig: %w", err)
	}
	return atomicfile.Write(path, data, 0o600)
}
