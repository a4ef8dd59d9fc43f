package controlplane

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/rest"
	cliflag "k8s.io/component-base/cli/flag"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	apiserveroptions "k8s.io/kubernetes/cmd/kube-apiserver/app/options"

	"github.com/kubelab/kubelab/lab/cluster/embedded/pki"
)

// AdvertiseAddress is the control-plane node's address, which the
// "kubernetes" Service points at. Endpoint validation refuses loopback, so it
// is the simulated control-plane node's InternalIP, as on kind.
const AdvertiseAddress = "172.18.0.2"

// ServiceCIDR is the range Service ClusterIPs come from, as on kind.
const ServiceCIDR = "10.96.0.0/16"

func apiserverArgs(set pki.Set, p ports, apiPort int) []string {
	return []string{
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--advertise-address=" + AdvertiseAddress,
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", p.EtcdClient),
		"--anonymous-auth=false",
		"--authorization-mode=Node,RBAC",
		"--client-ca-file=" + set.Path("ca.crt"),
		"--tls-cert-file=" + set.Path("apiserver.crt"),
		"--tls-private-key-file=" + set.Path("apiserver.key"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + set.Path("sa.pub"),
		"--service-account-signing-key-file=" + set.Path("sa.key"),
		"--service-cluster-ip-range=" + ServiceCIDR,
		"--requestheader-client-ca-file=" + set.Path("front-proxy-ca.crt"),
		"--requestheader-allowed-names=" + pki.FrontProxyClient.CommonName,
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-username-headers=X-Remote-User",
		"--proxy-client-cert-file=" + set.CertPath(pki.FrontProxyClient),
		"--proxy-client-key-file=" + set.KeyPath(pki.FrontProxyClient),
		"--kubelet-preferred-address-types=InternalDNS,InternalIP,Hostname",
		"--kubelet-certificate-authority=" + set.Path("ca.crt"),
		"--kubelet-client-certificate=" + set.CertPath(pki.KubeletClient),
		"--kubelet-client-key=" + set.KeyPath(pki.KubeletClient),
		"--allow-privileged=true",
		"--profiling=false",
		// Pods leave a node that stops answering in seconds, not five minutes.
		"--default-not-ready-toleration-seconds=2",
		"--default-unreachable-toleration-seconds=2",
		"--event-ttl=1h",
		// New nodes start without the not-ready taint: simulated kubelets are
		// Ready at once, and the node controller would take seconds to lift it.
		// It still taints nodes that go NotReady later (the node-down lessons).
		"--disable-admission-plugins=TaintNodesByCondition",
	}
}

// runAPIServer parses args as kube-apiserver does and serves until ctx ends.
// It never calls the component's cobra command, whose signal handler panics
// when installed twice in one process.
func runAPIServer(ctx context.Context, args []string) error {
	s := apiserveroptions.NewServerRunOptions()
	if err := parseInto("kube-apiserver", s.Flags(), args); err != nil {
		return err
	}
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	completed, err := s.Complete(ctx)
	if err != nil {
		return fmt.Errorf("kube-apiserver options: %w", err)
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return fmt.Errorf("kube-apiserver options: %w", utilerrors.NewAggregate(errs))
	}
	return apiserverapp.Run(ctx, completed)
}

func parseInto(name string, nfs cliflag.NamedFlagSets, args []string) error {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	for _, f := range nfs.FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s flags: %w", name, err)
	}
	return nil
}
