package wrap

import (
	"strings"
	"testing"
)

func TestWordsNeverBreaksACodeSpan(t *testing.T) {
	t.Parallel()
	cmd := "`kubectl create configmap my-cluster --from-literal=workers=<that number>`"
	for _, w := range []int{20, 40, 60, 80, 120} {
		got := Words("Count the workers, then "+cmd+". Done.", w, "  ")
		var whole bool
		for _, l := range strings.Split(got, "\n") {
			if strings.Contains(l, cmd) {
				whole = true
			}
			if strings.Count(l, "`")%2 != 0 {
				t.Errorf("width %d: line %q holds half a code span:\n%s", w, l, got)
			}
		}
		if !whole {
			t.Errorf("width %d: the command is not on one line:\n%s", w, got)
		}
	}
}

func TestWordsWrapsProseAtSpaces(t *testing.T) {
	t.Parallel()
	got := Words("one two three four five six seven", 10, "> ")
	want := "one two\n> three four\n> five six\n> seven"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A backquote without its pair (an apostrophe typed as one) opens no span:
// the rest still wraps.
func TestWordsWrapsAfterAnUnpairedBackquote(t *testing.T) {
	t.Parallel()
	got := Words("it`s one two three four five six seven", 10, "")
	for _, l := range strings.Split(got, "\n") {
		if len(l) > 10 {
			t.Errorf("line %q is wider than 10:\n%s", l, got)
		}
	}
}
