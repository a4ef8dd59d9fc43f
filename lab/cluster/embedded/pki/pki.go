// Package pki creates, once, and then reuses the certificates and keys of an
// embedded lab cluster: a cluster CA, the API server's serving certificate, a
// front-proxy CA, the service-account key pair, the fake kubelets' serving
// certificate and one client certificate per component.
//
// Certificates are reused across restarts because regenerating them would
// invalidate every kubeconfig already handed out.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/kubelab/kubelab/lab/atomicfile"
)

// validity of every certificate: a lab cluster lives for a course, not a decade.
const validity = 5 * 365 * 24 * time.Hour

// Client identities used by the control-plane components and the lab.
var (
	Admin             = Identity{Name: "admin", CommonName: "kubelab-admin", Groups: []string{"system:masters"}}
	ControllerManager = Identity{Name: "controller-manager", CommonName: "system:kube-controller-manager"}
	Scheduler         = Identity{Name: "scheduler", CommonName: "system:kube-scheduler"}
	KubeletClient     = Identity{Name: "apiserver-kubelet-client", CommonName: "kube-apiserver-kubelet-client", Groups: []string{"system:masters"}}
	NodeAgent         = Identity{Name: "node-agent", CommonName: "kubelab-node-agent", Groups: []string{"system:masters"}}
	FrontProxyClient  = Identity{Name: "front-proxy-client", CommonName: "front-proxy-client"}
)

// Identity is a client certificate's subject.
type Identity struct {
	Name       string // file stem under the pki directory
	CommonName string
	Groups     []string
}

// Set is the cluster's PKI on disk, under Dir.
type Set struct {
	Dir string
}

// Path returns the path of a file of the set, e.g. Path("ca.crt").
func (s Set) Path(name string) string { return filepath.Join(s.Dir, name) }

// CertPath and KeyPath name an identity's files.
func (s Set) CertPath(id Identity) string { return s.Path(id.Name + ".crt") }
func (s Set) KeyPath(id Identity) string  { return s.Path(id.Name + ".key") }

// ErrCorrupt means a file of the set exists but cannot be read back.
var ErrCorrupt = errors.New("certificate files are damaged")

// Ensure creates every missing file of the set and checks the existing ones.
// It is safe to call on every start.
func Ensure(dir string) (Set, error) {
	s := Set{Dir: dir}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return s, fmt.Errorf("create pki directory: %w", err)
	}
	ca, caKey, err := s.ensureCA("ca", "kubelab-ca")
	if err != nil {
		return s, err
	}
	fpCA, fpKey, err := s.ensureCA("front-proxy-ca", "kubelab-front-proxy-ca")
	if err != nil {
		return s, err
	}
	serving := leaf{
		name: "apiserver", cn: "kube-apiserver", server: true,
		dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		ips: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 96, 0, 1)},
	}
	if err := s.ensureLeaf(serving, ca, caKey); err != nil {
		return s, err
	}
	kubelet := leaf{name: "kubelet", cn: "kubelab-kubelet", server: true, dns: []string{"localhost"}, ips: []net.IP{net.IPv4(127, 0, 0, 1)}}
	if err := s.ensureLeaf(kubelet, ca, caKey); err != nil {
		return s, err
	}
	for _, id := range []Identity{Admin, ControllerManager, Scheduler, KubeletClient, NodeAgent} {
		if err := s.ensureLeaf(leaf{name: id.Name, cn: id.CommonName, orgs: id.Groups}, ca, caKey); err != nil {
			return s, err
		}
	}
	if err := s.ensureLeaf(leaf{name: FrontProxyClient.Name, cn: FrontProxyClient.CommonName}, fpCA, fpKey); err != nil {
		return s, err
	}
	saKey, err := s.loadOrCreateKey("sa")
	if err != nil {
		return s, err
	}
	if _, err := os.Stat(s.Path("sa.pub")); errors.Is(err, os.ErrNotExist) {
		der, err := x509.MarshalPKIXPublicKey(saKey.Public())
		if err != nil {
			return s, err
		}
		if err := atomicfile.Write(s.Path("sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
			return s, err
		}
	}
	return s, nil
}

type leaf struct {
	name, cn string
	orgs     []string
	server   bool
	dns      []string
	ips      []net.IP
}

func (s Set) ensureCA(name, cn string) (*x509.Certificate, crypto.Signer, error) {
	key, err := s.loadOrCreateKey(name)
	if err != nil {
		return nil, nil, err
	}
	if cert, err := readCert(s.Path(name + ".crt")); err == nil {
		return cert, key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("create %s certificate: %w", name, err)
	}
	if err := writeCert(s.Path(name+".crt"), der); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func (s Set) ensureLeaf(l leaf, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := s.loadOrCreateKey(l.name)
	if err != nil {
		return err
	}
	if _, err := readCert(s.Path(l.name + ".crt")); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: l.cn, Organization: l.orgs},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:     l.dns,
		IPAddresses:  l.ips,
	}
	if l.server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("create %s certificate: %w", l.name, err)
	}
	return writeCert(s.Path(l.name+".crt"), der)
}

func (s Set) loadOrCreateKey(name string) (crypto.Signer, error) {
	path := s.Path(name + ".key")
	data, err := os.ReadFile(path)
	if err == nil {
		block, _ := pem.Decode(data)
		if block == nil {
			return nil, fmt.Errorf("%s: %w (no PEM block)", path, ErrCorrupt)
		}
		key, err := x509.ParseECPrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (%v)", path, ErrCorrupt, err)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: %w (no PEM block)", path, ErrCorrupt)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (%v)", path, ErrCorrupt, err)
	}
	return cert, nil
}

func writeCert(path string, der []byte) error {
	return atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return n
}
