package class

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// ErrCredentials says a learner's kubeconfig no longer works: its token
// expired or the instructor revoked it.
var ErrCredentials = errors.New("your class credentials no longer work (they expired or were revoked): ask your instructor for a new kubeconfig file and run `kubelab join FILE` again")

// CredentialsError is ErrCredentials with the API server's own answer, for the log.
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string   { return ErrCredentials.Error() }
func (e *CredentialsError) Unwrap() []error { return []error{ErrCredentials, e.Err} }

// Membership is who a learner's kubeconfig says they are.
type Membership struct {
	Info
	// Home is the learner's home namespace (the kubeconfig's namespace).
	Home string
}

// Check reads, as the learner, the Info in the home namespace of the
// learner's kubeconfig: it proves the credentials work and says which class
// and learner they are. Rejected credentials are a CredentialsError.
func Check(ctx context.Context, kubeconfig string) (Membership, *rest.Config, error) {
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}, &clientcmd.ConfigOverrides{})
	cfg, err := loader.ClientConfig()
	if err != nil {
		return Membership{}, nil, fmt.Errorf("%s is not a kubeconfig kubelab can use: %w", kubeconfig, err)
	}
	home, _, err := loader.Namespace()
	if err != nil || home == "" || home == "default" {
		return Membership{}, nil, fmt.Errorf("%s names no class namespace; is it the file your instructor gave you?", kubeconfig)
	}
	m, err := CheckConfig(ctx, cfg, home)
	return m, cfg, err
}

// CheckConfig is Check with a client config and the home namespace.
func CheckConfig(ctx context.Context, cfg *rest.Config, home string) (Membership, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return Membership{}, err
	}
	info, err := ReadInfo(ctx, cs, home)
	switch {
	// Refused: the token expired or its ServiceAccount is gone. Forbidden:
	// its access was taken away (the class deleted, while the API server
	// still knows the token for a moment).
	case apierrors.IsUnauthorized(err), apierrors.IsForbidden(err):
		return Membership{}, &CredentialsError{Err: err}
	case apierrors.IsNotFound(err):
		return Membership{}, fmt.Errorf("namespace %s holds no class kubelab can read; is this the file your instructor gave you? (%w)", home, err)
	case err != nil:
		return Membership{}, fmt.Errorf("reach the class cluster at %s: %w", cfg.Host, err)
	}
	if info.Learner == "" || HomeNamespace(info.Class, info.Learner) != home {
		return Membership{}, fmt.Errorf("namespace %s is not a learner's home namespace; is this the file your instructor gave you?", home)
	}
	return Membership{Info: info, Home: home}, nil
}
