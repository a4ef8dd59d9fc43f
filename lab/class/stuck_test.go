package class

import (
	"strings"
	"testing"
	"time"
)

func TestStuck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	step := func(passed bool, hints int, since ...time.Duration) *Published {
		c := &CurrentStep{Passed: passed, Hints: hints}
		for i, d := range since {
			c.Goals = append(c.Goals, Goal{Name: string(rune('a' + i)), Passing: d < 0, Since: now.Add(-d.Abs())})
		}
		return &Published{Current: c}
	}
	for _, tc := range []struct {
		name string
		p    *Published
		want string // substring; "" means not stuck
	}{
		{"nothing published", nil, ""},
		{"no step open", &Published{}, ""},
		{"failing briefly", step(false, 0, 2*time.Minute), ""},
		{"failing long", step(false, 0, 2*time.Minute, 7*time.Minute), `"b" failing for 7 min`},
		{"passing long is fine", step(false, 0, -9*time.Minute), ""},
		{"many hints", step(false, 3, time.Minute), "3 hints"},
		{"passed step", step(true, 5, 9*time.Minute), ""},
	} {
		got := tc.p.Stuck(now)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: Stuck = %q, want %q", tc.name, got, tc.want)
		}
	}
}
