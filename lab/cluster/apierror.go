package cluster

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// APIError is a call to the lab cluster's API server that did not get
// through, said as one sentence: what happened and what to do. client-go's
// own words are in the file Log, which the sentence names.
type APIError struct {
	Server string // the API server's address
	What   string // e.g. "nothing answers there: the lab cluster has stopped"
	Fix    string
	Log    string
	Err    error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("the lab cluster's API server at %s %s: %s", e.Server, e.What, e.Fix)
	if e.Log != "" {
		s += " (the error's own words are in " + e.Log + ")"
	}
	return s
}

func (e *APIError) Unwrap() error { return e.Err }

const fixUp = "run `kubelab up` to start it again; your progress is kept"

// ExplainAPI says why a call to the API server at server did not get
// through, as an *APIError, and appends client-go's own error to the file
// log ("": keep none). An error the API server itself returned about the
// objects (not found, forbidden, invalid) is returned as it is: it got
// through.
func ExplainAPI(err error, server, log string) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return err
	}
	e := &APIError{Server: server, Err: err}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		e.What, e.Fix = "does not answer (nothing listens there: the lab cluster has stopped)", fixUp
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		e.What, e.Fix = "closed the connection (the lab cluster is stopping or has stopped)", fixUp
	case errors.As(err, &unknownCA) || errors.As(err, &hostname):
		e.What, e.Fix = "is not the one kubelab's kubeconfig was written for (its certificate does not match)", "run `kubelab up` to write the kubeconfig again"
	case apierrors.IsUnauthorized(err):
		e.What, e.Fix = "does not accept kubelab's credentials", "run `kubelab up` to write the kubeconfig again"
	case apierrors.IsServiceUnavailable(err) || apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err):
		e.What, e.Fix = "is busy, starting or stopping (it answered that it cannot serve now)", "wait a few seconds and try again; if it keeps saying so, run `kubelab up`"
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) || strings.Contains(err.Error(), "Client.Timeout exceeded"):
		e.What, e.Fix = "did not answer in time (the machine may be busy, or the lab cluster stopping)", "wait a moment and try again; if it keeps happening, run `kubelab up`"
	default:
		return err
	}
	if log != "" && appendLog(log, fmt.Sprintf("API server %s: %v", server, err)) == nil {
		e.Log = log
	}
	return e
}

// appendLog appends a time-stamped line to the file at path.
func appendLog(path, line string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %s\n", time.Now().Format(time.RFC3339), strings.TrimSpace(line))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// AppendLog appends one time-stamped line to the log at path: the raw
// error behind a sentence the learner was shown.
func AppendLog(path, line string) error { return appendLog(path, line) }
