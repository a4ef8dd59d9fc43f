package kind

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// jsonMessage is one line of the Docker engine's progress stream, as its
// API sends it for an image pull (POST /images/create) or load (POST
// /images/load): a layer's status, its bytes so far, or an error.
type jsonMessage struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Progress struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error       string `json:"error"`
	ErrorDetail struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
}

// layerStatus are the statuses of a layer's messages.
var layerStatus = map[string]bool{
	"Pulling fs layer": true, "Waiting": true, "Downloading": true, "Verifying Checksum": true,
	"Download complete": true, "Extracting": true, "Pull complete": true, "Already exists": true,
	"Loading layer": true,
}

type layer struct {
	current, total int64
	done           bool
}

// pullProgress sums a progress stream up over its layers.
type pullProgress struct {
	layers map[string]*layer
}

// add takes one message in; false when it says nothing about bytes or layers.
func (p *pullProgress) add(m jsonMessage) bool {
	if m.ID == "" || !layerStatus[m.Status] { // "Pulling from …", "Digest: …", "Status: …"
		return false
	}
	if p.layers == nil {
		p.layers = map[string]*layer{}
	}
	l := p.layers[m.ID]
	if l == nil {
		l = &layer{}
		p.layers[m.ID] = l
	}
	switch m.Status {
	case "Downloading", "Loading layer":
		if m.Progress.Total > 0 {
			l.total = m.Progress.Total
		}
		l.current = m.Progress.Current
		if m.Status == "Loading layer" && l.total > 0 && l.current >= l.total {
			l.done = true
		}
	case "Download complete", "Verifying Checksum":
		l.current = l.total
	case "Pull complete", "Already exists":
		l.current, l.done = l.total, true
	default: // "Pulling fs layer", "Waiting", "Extracting": the layer is known
	}
	return true
}

// String is the progress in words: bytes and percent once sizes are known,
// and layers done, e.g. "120 MB of 450 MB (26%), 3 of 9 layers".
func (p *pullProgress) String() string {
	var cur, total int64
	done := 0
	ids := make([]string, 0, len(p.layers))
	for id := range p.layers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		l := p.layers[id]
		cur, total = cur+l.current, total+l.total
		if l.done {
			done++
		}
	}
	layers := fmt.Sprintf("%d of %d layers", done, len(p.layers))
	if total == 0 {
		return layers
	}
	return fmt.Sprintf("%s of %s (%d%%), %s", megabytes(cur), megabytes(total), p.percent(), layers)
}

// percent is the share of the known bytes that arrived.
func (p *pullProgress) percent() int {
	var cur, total int64
	for _, l := range p.layers {
		cur, total = cur+l.current, total+l.total
	}
	if total == 0 {
		return 0
	}
	return int(cur * 100 / total)
}

func megabytes(n int64) string {
	if n < 10<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d MB", n/1e6)
}

// readProgress reads a progress stream to its end, calling report with the
// progress in words whenever it moved by at least step percent or a layer
// finished; an error message in the stream is the error returned.
func readProgress(r io.Reader, step int, report func(string)) error {
	dec := json.NewDecoder(r)
	var p pullProgress
	lastPct, lastDone := -step, -1
	for {
		var m jsonMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read the Docker engine's progress: %w", err)
		}
		if m.Error != "" || m.ErrorDetail.Message != "" {
			msg := m.ErrorDetail.Message
			if msg == "" {
				msg = m.Error
			}
			return errors.New(msg)
		}
		if !p.add(m) {
			continue
		}
		done := 0
		for _, l := range p.layers {
			if l.done {
				done++
			}
		}
		if pct := p.percent(); pct >= lastPct+step || done != lastDone {
			lastPct, lastDone = pct, done
			report(p.String())
		}
	}
}
