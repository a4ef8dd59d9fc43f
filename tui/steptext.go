package tui

import (
	"fmt"
	"regexp"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/kubelab/kubelab/lab/lesson"
	"github.com/kubelab/kubelab/tui/components/wrap"
)

// codeIndent is where a code block's lines start, under glamour's
// paragraphs (its document margin plus its code-block margin).
const codeIndent = "    "

// block is a run of a step's Markdown: prose, or one fenced code block.
type block struct {
	code bool
	lang string // the fence's language, for a code block
	text string
}

// splitBlocks cuts Markdown at its fenced code blocks (``` or ~~~ at the
// start of a line), so the code can be shown unwrapped.
func splitBlocks(md string) []block {
	var out []block
	var cur []string
	fence, lang := "", ""
	flush := func(code bool) {
		if len(cur) > 0 || code {
			out = append(out, block{code: code, lang: lang, text: strings.Join(cur, "\n")})
		}
		cur = nil
	}
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			flush(false)
			fence, lang = trimmed[:3], strings.TrimSpace(trimmed[3:])
		case fence != "" && strings.HasPrefix(trimmed, fence) && strings.TrimLeft(trimmed, fence[:1]) == "":
			flush(true)
			fence, lang = "", ""
		default:
			cur = append(cur, line)
		}
	}
	flush(fence != "") // an unclosed fence is code to the end
	return out
}

// isShell tells a code block of commands from one of a manifest.
func (b block) isShell() bool {
	switch b.lang {
	case "", "sh", "bash", "shell", "console", "shell-session":
		return true
	}
	return false
}

// stepCommands is every command the step shows, one line each, for the copy
// key: the lines of its shell code blocks (without a "$ " prompt or comment
// lines), then the commands in the hints shown (code spans holding a space).
func stepCommands(md string, hints []lesson.Hint) []string {
	var out []string
	for _, b := range splitBlocks(md) {
		if !b.code || !b.isShell() {
			continue
		}
		for _, l := range strings.Split(b.text, "\n") {
			l = strings.TrimPrefix(strings.TrimSpace(l), "$ ")
			if l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
	}
	for _, h := range hints {
		parts := strings.Split(h.Text, "`")
		for i := 1; i < len(parts); i += 2 { // the odd parts are inside backquotes
			if span := strings.TrimSpace(parts[i]); strings.Contains(span, " ") {
				out = append(out, span)
			}
		}
	}
	return out
}

// codeWidth is how wide the step's widest code line is on screen.
func codeWidth(md string) int {
	w := 0
	for _, b := range splitBlocks(md) {
		if b.code {
			for _, l := range strings.Split(b.text, "\n") {
				w = max(w, len(codeIndent)+ansi.StringWidth(l))
			}
		}
	}
	return w
}

// renderStepText renders a step's Markdown for a text column width cells
// wide: glamour wraps the prose; code blocks keep each line whole, however
// wide (the viewport scrolls sideways and marks what it cuts); the hints
// shown so far follow, their code spans never broken.
func renderStepText(md string, hints []lesson.Hint, total, width int, s Styles) string {
	style := "dark"
	switch {
	case s.NoColor:
		style = "ascii"
	case !s.Dark:
		style = "light"
	}
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(max(20, width-2)))
	var parts []string
	for _, b := range splitBlocks(md) {
		if b.code {
			var lines []string
			for _, l := range strings.Split(b.text, "\n") {
				lines = append(lines, codeIndent+s.Code.Render(l))
			}
			parts = append(parts, strings.Join(lines, "\n"))
			continue
		}
		if strings.TrimSpace(b.text) == "" {
			continue
		}
		out := b.text
		if err == nil {
			if rendered, rerr := r.Render(joinSoftBreaks(b.text)); rerr == nil {
				out = rendered
			}
		}
		parts = append(parts, strings.Trim(out, "\n"))
	}
	if len(hints) > 0 {
		parts = append(parts, hintsText(hints, total, width, s))
	}
	return strings.Join(parts, "\n\n")
}

// hintsText lists the hints shown so far, so the learner can scroll back to
// them; a command in a hint stays on one line.
func hintsText(hints []lesson.Hint, total, width int, s Styles) string {
	margin := "  "
	lines := []string{margin + s.Muted.Render(strings.Repeat("─", max(10, width-4))), "", margin + s.Title.Render(fmt.Sprintf("Hints shown (%d/%d)", len(hints), total)), ""}
	for i, h := range hints {
		num := fmt.Sprintf("%d. ", i+1)
		pad := margin + strings.Repeat(" ", len(num))
		lines = append(lines, margin+num+wrap.Words(h.Text, width-len(pad)-2, pad))
	}
	return strings.Join(lines, "\n")
}

// textView is the step's text with a marker where a line goes on past the
// right edge (→) or starts before the left one (←): scroll with ← and →.
func (m lessonModel) textView() string {
	view := m.text.View()
	x, w := m.text.XOffset(), m.text.Width()
	if w < 2 {
		return view
	}
	lines := strings.Split(view, "\n")
	for i := range lines {
		n := m.text.YOffset() + i
		if n >= len(m.lines) {
			break
		}
		lw := m.widths[n]
		if lw > x+w {
			lines[i] = ansi.Truncate(lines[i], w-1, "") + m.c.styles.Warn.Render("→")
		}
		if x > 0 && lw > x {
			lines[i] = m.c.styles.Warn.Render("←") + ansi.Cut(lines[i], 1, w)
		}
	}
	return strings.Join(lines, "\n")
}

// copyCmd puts the step's commands on the clipboard through OSC 52, one a
// line, and says so.
func (m lessonModel) copyCmd() (lessonModel, tea.Cmd) {
	if len(m.commands) == 0 {
		m.message, m.msgKind = "This step shows no commands to copy.", "hint"
		return m, nil
	}
	m.message, m.msgKind = fmt.Sprintf("Copied %d command(s) to the clipboard (through your terminal, OSC 52): %s", len(m.commands), strings.Join(m.commands, " · ")), "ok"
	return m, tea.SetClipboard(strings.Join(m.commands, "\n") + "\n")
}

// messageText wraps the message's prose to w cells; a command line of a
// solution ("  $ …") stays whole, marked with → where the screen cuts it
// (y copies it whole).
func (m lessonModel) messageText(w int) string {
	var out []string
	for _, l := range strings.Split(m.message, "\n") {
		switch {
		case !strings.HasPrefix(l, "  $ "):
			out = append(out, wrap.Words(l, w, ""))
		case ansi.StringWidth(l) > w && w > 1:
			out = append(out, ansi.Truncate(l, w-1, "")+"→")
		default:
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// listOrBlockRE matches a line that starts a Markdown block of its own: a
// list item, heading, quote, table row or rule.
var listOrBlockRE = regexp.MustCompile(`^\s*([-*+]\s|\d+[.)]\s|#|>|\||---|\*\*\*)`)

// joinSoftBreaks joins the lines an author wrapped by hand inside a
// paragraph or list item, so the renderer wraps them to the screen instead
// of keeping each source line (and wrapping it again: "the" alone on a line).
func joinSoftBreaks(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	for _, l := range lines {
		n := len(out)
		if n > 0 && strings.TrimSpace(l) != "" && strings.TrimSpace(out[n-1]) != "" &&
			!listOrBlockRE.MatchString(l) && !strings.HasSuffix(out[n-1], "  ") &&
			!strings.HasPrefix(strings.TrimSpace(out[n-1]), "#") && !strings.HasPrefix(strings.TrimSpace(out[n-1]), "|") {
			out[n-1] += " " + strings.TrimSpace(l)
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
