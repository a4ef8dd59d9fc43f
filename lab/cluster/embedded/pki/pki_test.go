package pki

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestEnsureCreatesOnceAndReuses(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pki")
	s, err := Ensure(dir)
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(s.Path("apiserver.crt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(s.Path("apiserver.crt"))
	if string(first) != string(second) {
		t.Fatal("Ensure regenerated an existing certificate")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", e.Name(), info.Mode().Perm())
		}
	}
}

func TestServingCertChainsToCAWithLoopbackSAN(t *testing.T) {
	t.Parallel()
	s, err := Ensure(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ca := mustCert(t, s.Path("ca.crt"))
	srv := mustCert(t, s.Path("apiserver.crt"))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	if _, err := srv.Verify(x509.VerifyOptions{Roots: pool, DNSName: "127.0.0.1"}); err != nil {
		t.Fatalf("serving cert does not verify for 127.0.0.1: %v", err)
	}
	admin := mustCert(t, s.CertPath(Admin))
	if _, err := admin.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("admin client cert does not verify: %v", err)
	}
	if len(admin.Subject.Organization) != 1 || admin.Subject.Organization[0] != "system:masters" {
		t.Fatalf("admin groups = %v", admin.Subject.Organization)
	}
}

func TestDamagedKeyIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := Ensure(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.key"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Ensure(dir)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
}

func mustCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
