package tools

import (
	"bufio"
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"strconv"
	"strings"
)

func xargs(c *cmd, args []string) int {
	f, rest, ok := c.getopt(args, "n:I:0d:trxs:P:L:E:", map[string]byte{"null": '0', "no-run-if-empty": 'r'}, true)
	if !ok {
		return c.usage()
	}
	if len(rest) == 0 {
		rest = []string{"echo"}
	}
	data, err := c.readAll("-")
	if err != nil {
		return 1
	}
	var items []string
	switch d, hasD := f.val('d'); {
	case f.has('0'):
		items = strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	case hasD:
		d, _ = printf.Unescape(d, false)
		items = strings.Split(strings.TrimSuffix(string(data), d), d)
	case f.has('I') || f.has('L'):
		items = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	default:
		items = shellWords(string(data))
	}
	items = slicesDeleteEmpty(items, f.has('0') || f.has('d'))
	if len(items) == 0 && f.has('r') {
		return 0
	}
	per := len(items)
	if v, ok := f.val('n'); ok {
		per, _ = strconv.Atoi(v)
	}
	if v, ok := f.val('L'); ok {
		per, _ = strconv.Atoi(v)
	}
	repl, hasI := f.val('I')
	if hasI {
		per = 1
	}
	per = max(1, per)
	status := 0
	for start := 0; start < len(items) || start == 0; start += per {
		if c.stopped() {
			return 1
		}
		batch := items[start:min(len(items), start+per)]
		var argv []string
		if hasI {
			for _, a := range rest {
				argv = append(argv, strings.ReplaceAll(a, repl, strings.Join(batch, " ")))
			}
		} else {
			argv = append(append(argv, rest...), batch...)
		}
		if f.has('t') {
			fmt.Fprintln(c.p.Stderr, strings.Join(argv, " "))
		}
		c.out.Flush()
		switch code := runQuiet(c, argv); {
		case code == 255:
			return 124
		case code == 126 || code == 127:
			return code
		case code != 0:
			status = 123
		}
		if len(items) == 0 {
			break
		}
	}
	return status
}

// shellWords splits xargs input: blanks separate, quotes and backslashes
// group.
func shellWords(s string) []string {
	var out []string
	var b strings.Builder
	inWord, quote := false, rune(0)
	r := bufio.NewReader(strings.NewReader(s))
	for {
		ch, _, err := r.ReadRune()
		if err != nil {
			break
		}
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			b.WriteRune(ch)
		case ch == '\'' || ch == '"':
			quote, inWord = ch, true
		case ch == '\\':
			if n, _, err := r.ReadRune(); err == nil {
				b.WriteRune(n)
				inWord = true
			}
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				out = append(out, b.String())
				b.Reset()
				inWord = false
			}
		default:
			b.WriteRune(ch)
			inWord = true
		}
	}
	if inWord {
		out = append(out, b.String())
	}
	return out
}

func slicesDeleteEmpty(items []string, keep bool) []string {
	if keep {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if it != "" {
			out = append(out, it)
		}
	}
	return out
}
