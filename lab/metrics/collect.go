package metrics

import (
	"math"
	"time"
)

// Snapshot is a namespace's figures at one moment, summed over its pods.
type Snapshot struct {
	At time.Time
	// Queues
	HasQueue           bool
	QueueLength        float64
	OldestTaskAge      float64
	Produced, Consumed float64 // counters
	Workers            int     // ready worker pods
	// Servers
	HasServer  bool
	Requests   float64 // counter, all server pods
	LatencyP50 float64 // seconds, mean over server pods with traffic
	LatencyP95 float64
	Servers    int // server pods that answered requests
}

// Rates is what changed between two snapshots, per second.
type Rates struct {
	Produced, Consumed, Requests float64
}

// RatesBetween computes per-second rates from a to b (zero when unknown).
func RatesBetween(a, b Snapshot) Rates {
	dt := b.At.Sub(a.At).Seconds()
	if a.At.IsZero() || dt <= 0 {
		return Rates{}
	}
	pos := func(v float64) float64 { return math.Max(0, v) / dt }
	return Rates{Produced: pos(b.Produced - a.Produced), Consumed: pos(b.Consumed - a.Consumed), Requests: pos(b.Requests - a.Requests)}
}
