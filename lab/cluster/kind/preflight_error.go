package kind

// PreflightError says why kind cannot run here (Reason) and what to do about
// it (Fix), so a caller that falls back to another backend can say why in
// its own words, as kind's DetectNodeProvider lets its callers do.
type PreflightError struct {
	Reason string // e.g. "no Docker engine found"
	Fix    string // e.g. "install Docker to run real nodes, or ..."
}

func (e *PreflightError) Error() string { return e.Reason + ": " + e.Fix }
