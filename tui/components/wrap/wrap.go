package wrap

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Words breaks s into lines of at most w cells at spaces, keeping its own
// line breaks and starting each continuation with indent. A `code span` is
// never broken: it moves to a line of its own, and one longer than w stays
// whole, so a command is always one line to copy. A width under 10 leaves s
// as it is.
func Words(s string, w int, indent string) string {
	if w < 10 {
		return s
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range fields(para) {
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

// fields splits a paragraph at spaces, except inside backquotes: a code
// span, with the words stuck to it (a comma after it), is one field. The
// last backquote of an odd number opens no span.
func fields(para string) []string {
	var out []string
	var cur strings.Builder
	inCode, unpaired := false, -1
	if strings.Count(para, "`")%2 == 1 {
		unpaired = strings.LastIndex(para, "`")
	}
	for i, r := range para {
		switch {
		case r == '`':
			inCode = inCode != (i != unpaired) // toggles, but for the unpaired one
			cur.WriteRune(r)
		case (r == ' ' || r == '\t') && !inCode:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
