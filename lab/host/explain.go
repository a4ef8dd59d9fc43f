package host

import (
	"path/filepath"

	"github.com/kubelab/kubelab/lab/cluster"
)

// LogPath is the file that keeps the raw errors kubelab turned into one
// sentence for the learner (cluster.ExplainAPI).
func (h *Lab) LogPath() string { return filepath.Join(h.stateDir, "logs", "kubelab.log") }

// Explain says in one sentence why a call to the lab cluster's API server
// did not get through (*cluster.APIError), client-go's own error kept in
// LogPath; an error the API server answered with is returned as it is.
func (h *Lab) Explain(err error) error {
	server := "(not connected)"
	if c := h.Clients(); c != nil {
		server = c.Config.Host
	}
	return cluster.ExplainAPI(err, server, h.LogPath())
}
