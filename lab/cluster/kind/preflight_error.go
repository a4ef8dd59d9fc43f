package kind

// PreflightError says why kind cannot run here (Reason) and what to do about
// it (Fix), so a caller that falls back to another backend can say why in
// its own words, as kind's DetectNodeProvider lets its callers do. Log, when
// set, is the file that keeps `docker info`'s own output.
type PreflightError struct {
	Reason string // e.g. "no Docker engine found"
	Fix    string // e.g. "install Docker to run real nodes, or ..."
	Log    string
	output string // what `docker info` said
}

func (e *PreflightError) Error() string {
	if e.Log != "" {
		return e.Reason + ": " + e.Fix + " (docker's own output is in " + e.Log + ")"
	}
	return e.Reason + ": " + e.Fix
}
