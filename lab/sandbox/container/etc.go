package container

import "fmt"

// EtcHosts is the /etc/hosts a kubelet writes for a pod (Config.Files).
func EtcHosts(podIP, hostname string) []byte {
	return fmt.Appendf(nil, "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"+
		"::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"+
		"fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n%s\t%s\n", podIP, hostname)
}

// ResolvConf is the /etc/resolv.conf of a pod with dnsPolicy ClusterFirst
// (Config.Files): the cluster's DNS, its namespace's search path.
func ResolvConf(nameserver, namespace, clusterDomain string) []byte {
	return fmt.Appendf(nil, "search %s.svc.%s svc.%s %s\nnameserver %s\noptions ndots:5\n",
		namespace, clusterDomain, clusterDomain, clusterDomain, nameserver)
}
