package tools

import (
	"cmp"
	"fmt"
	"github.com/kubelab/kubelab/lab/sandbox/internal/printf"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

func sortCmd(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "nrufbk:t:o:sghcVM", map[string]byte{"numeric-sort": 'n', "reverse": 'r', "unique": 'u'}, false)
	if !ok {
		return c.usage()
	}
	lines, ok := c.readInputs(files)
	if !ok {
		return 2
	}
	sep, _ := f.val('t')
	keyStart, keyEnd := 0, 0
	if k, ok := f.val('k'); ok {
		a, b, _ := strings.Cut(k, ",")
		keyStart, _ = strconv.Atoi(strings.TrimRight(a, "bdfgiMhnRrV"))
		keyEnd, _ = strconv.Atoi(strings.TrimRight(b, "bdfgiMhnRrV"))
		if strings.ContainsAny(a, "n") {
			f.set['n'] = true
		}
		if strings.ContainsAny(a, "r") {
			f.set['r'] = true
		}
	}
	key := func(l string) string {
		if keyStart == 0 {
			return l
		}
		var fields []string
		if sep != "" {
			fields = strings.Split(l, sep)
		} else {
			fields = strings.Fields(l)
		}
		if keyStart > len(fields) {
			return ""
		}
		end := len(fields)
		if keyEnd > 0 && keyEnd < end {
			end = keyEnd
		}
		if end < keyStart {
			end = keyStart
		}
		j := sep
		if j == "" {
			j = " "
		}
		return strings.Join(fields[keyStart-1:end], j)
	}
	numeric := f.has('n') || f.has('g') || f.has('h')
	compare := func(a, b string) int {
		ka, kb := key(a), key(b)
		if f.has('b') {
			ka, kb = strings.TrimLeft(ka, " \t"), strings.TrimLeft(kb, " \t")
		}
		if f.has('f') {
			ka, kb = strings.ToUpper(ka), strings.ToUpper(kb)
		}
		if numeric {
			if r := cmp.Compare(leadingNumber(ka, f.has('h')), leadingNumber(kb, f.has('h'))); r != 0 || f.has('u') {
				return r
			}
			return strings.Compare(a, b)
		}
		if r := strings.Compare(ka, kb); r != 0 || f.has('u') || keyStart == 0 {
			return r
		}
		return strings.Compare(a, b)
	}
	if f.has('c') {
		for k := 1; k < len(lines); k++ {
			if compare(lines[k-1], lines[k]) > 0 {
				c.errf("-:%d: disorder: %s", k+1, lines[k])
				return 1
			}
		}
		return 0
	}
	slices.SortStableFunc(lines, compare)
	if f.has('r') {
		slices.Reverse(lines)
	}
	if f.has('u') {
		lines = slices.CompactFunc(lines, func(a, b string) bool { return compare(a, b) == 0 })
	}
	out := c.out
	if o, ok := f.val('o'); ok {
		fl, err := c.p.FS.OpenFile(o, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		if err != nil {
			c.errf("can't open '%s': %s", o, errText(err))
			return 2
		}
		defer fl.Close()
		c.out.Flush()
		out.Reset(fl)
		defer out.Flush()
	}
	for _, l := range lines {
		out.WriteString(l)
		out.WriteByte('\n')
	}
	return 0
}

// leadingNumber reads the number a line starts with (sort -n, -h).
func leadingNumber(s string, human bool) float64 {
	s = strings.TrimLeft(s, " \t")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || end == 0 && s[end] == '-') {
		end++
	}
	n, _ := strconv.ParseFloat(s[:end], 64)
	if human && end < len(s) {
		if i := strings.IndexRune("KMGTPE", unicode.ToUpper(rune(s[end]))); i >= 0 {
			for range i + 1 {
				n *= 1024
			}
		}
	}
	return n
}

func uniq(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "cduif:s:", map[string]byte{"count": 'c', "repeated": 'd', "unique": 'u', "ignore-case": 'i'}, false)
	if !ok {
		return c.usage()
	}
	skipFields, skipChars := 0, 0
	if v, ok := f.val('f'); ok {
		skipFields, _ = strconv.Atoi(v)
	}
	if v, ok := f.val('s'); ok {
		skipChars, _ = strconv.Atoi(v)
	}
	in := files
	if len(in) > 1 {
		in = in[:1]
	}
	lines, ok := c.readInputs(in)
	if !ok {
		return 1
	}
	key := func(l string) string {
		for range skipFields {
			l = strings.TrimLeft(l, " \t")
			if i := strings.IndexAny(l, " \t"); i >= 0 {
				l = l[i:]
			} else {
				l = ""
			}
		}
		l = l[min(skipChars, len(l)):]
		if f.has('i') {
			l = strings.ToLower(l)
		}
		return l
	}
	for k := 0; k < len(lines); {
		j := k + 1
		for j < len(lines) && key(lines[j]) == key(lines[k]) {
			j++
		}
		n := j - k
		if !(f.has('d') && n == 1 || f.has('u') && n > 1) {
			if f.has('c') {
				fmt.Fprintf(c.out, "%7d %s\n", n, lines[k])
			} else {
				fmt.Fprintln(c.out, lines[k])
			}
		}
		k = j
	}
	return 0
}

// ranges reads cut's LIST (1,3-5,7-) into a membership test.
func ranges(list string) (func(int) bool, bool) {
	type span struct{ lo, hi int }
	var spans []span
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		s := span{1, 1 << 30}
		var err error
		if lo != "" {
			if s.lo, err = strconv.Atoi(lo); err != nil || s.lo < 1 {
				return nil, false
			}
		}
		switch {
		case !isRange:
			s.hi = s.lo
		case hi != "":
			if s.hi, err = strconv.Atoi(hi); err != nil {
				return nil, false
			}
		}
		spans = append(spans, s)
	}
	return func(n int) bool {
		for _, s := range spans {
			if n >= s.lo && n <= s.hi {
				return true
			}
		}
		return false
	}, true
}

func cut(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "d:f:c:b:sn", map[string]byte{"delimiter=": 'd', "fields=": 'f', "characters=": 'c', "bytes=": 'b'}, false)
	if !ok {
		return c.usage()
	}
	list, mode := "", byte(0)
	for _, m := range []byte{'f', 'c', 'b'} {
		if v, ok := f.val(m); ok {
			list, mode = v, m
		}
	}
	if mode == 0 {
		c.errf("expected a list of bytes, characters, or fields")
		return 1
	}
	in, ok := ranges(list)
	if !ok {
		c.errf("invalid byte or character range")
		return 1
	}
	delim := "\t"
	if d, ok := f.val('d'); ok && d != "" {
		delim = d[:1]
	}
	return c.eachInput(files, true, func(_ string, r ioReader) error {
		return c.lines(r, func(line string) bool {
			var out []string
			if mode == 'f' {
				if !strings.Contains(line, delim) {
					if !f.has('s') {
						fmt.Fprintln(c.out, line)
					}
					return true
				}
				for k, field := range strings.Split(line, delim) {
					if in(k + 1) {
						out = append(out, field)
					}
				}
				fmt.Fprintln(c.out, strings.Join(out, delim))
				return true
			}
			var b strings.Builder
			units := []rune(line)
			if mode == 'b' {
				units = nil
				for _, by := range []byte(line) {
					units = append(units, rune(by))
				}
			}
			for k, u := range units {
				if in(k + 1) {
					if mode == 'b' {
						b.WriteByte(byte(u))
					} else {
						b.WriteRune(u)
					}
				}
			}
			fmt.Fprintln(c.out, b.String())
			return true
		})
	})
}

// trSet expands tr's SET: ranges, escapes, [:classes:].
func trSet(s string) []rune {
	s, _ = printf.Unescape(s, false)
	classes := map[string]func(rune) bool{
		"lower": unicode.IsLower, "upper": unicode.IsUpper, "digit": unicode.IsDigit,
		"alpha": unicode.IsLetter, "alnum": func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) },
		"space": unicode.IsSpace, "punct": unicode.IsPunct, "blank": func(r rune) bool { return r == ' ' || r == '\t' },
	}
	var out []rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '[' && i+1 < len(rs) && rs[i+1] == ':' {
			if end := strings.Index(string(rs[i:]), ":]"); end > 0 {
				if fn := classes[string(rs[i+2:i+end])]; fn != nil {
					for r := rune(0); r < 128; r++ {
						if fn(r) {
							out = append(out, r)
						}
					}
					i += end + 1
					continue
				}
			}
		}
		if i+2 < len(rs) && rs[i+1] == '-' {
			for r := rs[i]; r <= rs[i+2]; r++ {
				out = append(out, r)
			}
			i += 2
			continue
		}
		out = append(out, rs[i])
	}
	return out
}

func tr(c *cmd, args []string) int {
	f, ops, ok := c.getopt(args, "dscC", nil, false)
	if !ok || len(ops) == 0 || len(ops) > 2 || !f.has('d') && !f.has('s') && len(ops) < 2 {
		return c.usage()
	}
	set1 := trSet(ops[0])
	var set2 []rune
	if len(ops) == 2 {
		set2 = trSet(ops[1])
	}
	in1 := func(r rune) bool { return slices.Contains(set1, r) != (f.has('c') || f.has('C')) }
	data, err := c.readAll("-")
	if err != nil {
		return 1
	}
	var last rune = -1
	for _, r := range string(data) {
		if f.has('d') && in1(r) {
			continue
		}
		if !f.has('d') && len(set2) > 0 && in1(r) {
			k := slices.Index(set1, r)
			if k < 0 || k >= len(set2) {
				k = len(set2) - 1
			}
			r = set2[k]
		}
		squeeze := set1
		if len(set2) > 0 {
			squeeze = set2
		}
		if f.has('s') && r == last && slices.Contains(squeeze, r) {
			continue
		}
		last = r
		c.out.WriteRune(r)
	}
	return 0
}
