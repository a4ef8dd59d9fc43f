package wrap

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Words breaks s into lines of at most w cells at spaces, keeping its own
// line breaks and starting each continuation with indent. A width under 10
// leaves s as it is.
func Words(s string, w int, indent string) string {
	if w < 10 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && lipgloss.Width(line)+1+lipgloss.Width(word) > w {
				out = append(out, line)
				line = word
				continue
			}
			if line == "" {
				line = word
			} else {
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"+indent)
}
