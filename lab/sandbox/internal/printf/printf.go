package printf

import (
	"fmt"
	"strconv"
	"strings"
)

// Format runs printf FORMAT [ARG]...: the format is reused while arguments
// remain, as POSIX says. It returns the output, the error messages and the
// status.
func Format(format string, args []string) (string, []string, int) {
	var out strings.Builder
	var errs []string
	status := 0
	for {
		used, stop, bad := once(&out, &errs, format, args)
		if bad {
			status = 1
		}
		args = args[min(used, len(args)):]
		if stop || used == 0 || len(args) == 0 {
			break
		}
	}
	return out.String(), errs, status
}

// once formats once; it returns how many arguments it used.
func once(out *strings.Builder, errs *[]string, format string, args []string) (used int, stop, bad bool) {
	next := func() (string, bool) {
		if used < len(args) {
			used++
			return args[used-1], true
		}
		return "", false
	}
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch == '\\' {
			j := i + 1
			for j < len(format) && j < i+4 && format[j] >= '0' && format[j] <= '7' {
				j++
			}
			if j == i+1 && j < len(format) {
				j++
				if format[i+1] == 'x' {
					for j < len(format) && j < i+4 && strings.IndexByte("0123456789abcdefABCDEF", format[j]) >= 0 {
						j++
					}
				}
			}
			s, _ := Unescape(format[i:j], false)
			out.WriteString(s)
			i = j - 1
			continue
		}
		if ch != '%' {
			out.WriteByte(ch)
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			j++
		}
		spec := format[i:j]
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.' || format[j] == '*') {
			if format[j] == '*' {
				a, _ := next()
				n, _ := strconv.Atoi(a)
				spec += strconv.Itoa(n)
			} else {
				spec += string(format[j])
			}
			j++
		}
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++ // length modifiers mean nothing here
		}
		if j >= len(format) {
			out.WriteString(format[i:])
			return used, true, bad
		}
		verb := format[j]
		i = j
		switch verb {
		case '%':
			out.WriteByte('%')
		case 's':
			a, _ := next()
			fmt.Fprintf(out, spec+"s", a)
		case 'b':
			a, _ := next()
			s, cstop := Unescape(a, true)
			fmt.Fprintf(out, spec+"s", s)
			if cstop {
				return used, true, bad
			}
		case 'c':
			if a, _ := next(); a != "" {
				out.WriteByte(a[0])
			}
		case 'd', 'i', 'u', 'x', 'X', 'o':
			a, _ := next()
			n, ok := Number(a)
			if !ok {
				*errs = append(*errs, fmt.Sprintf("invalid number '%s'", a))
				bad = true
			}
			v := map[byte]byte{'i': 'd', 'u': 'd'}[verb]
			if v == 0 {
				v = verb
			}
			fmt.Fprintf(out, spec+string(v), n)
		case 'f', 'F', 'e', 'E', 'g', 'G':
			a, _ := next()
			f, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
			if err != nil && a != "" {
				*errs = append(*errs, fmt.Sprintf("invalid number '%s'", a))
				bad = true
			}
			fmt.Fprintf(out, spec+string(verb), f)
		default:
			*errs = append(*errs, fmt.Sprintf("%%%c: invalid format", verb))
			return used, true, true
		}
	}
	return used, false, bad
}

// Number reads printf's integer argument: decimal, 0x hex, 0 octal, or a
// character constant 'a.
func Number(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if s[0] == '\'' || s[0] == '"' {
		if len(s) > 1 {
			return int64(s[1]), true
		}
		return 0, true
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		if u, uerr := strconv.ParseUint(s, 0, 64); uerr == nil {
			return int64(u), true
		}
		return 0, false
	}
	return n, true
}

// Unescape interprets backslash escapes; echo's \c stops the output.
func Unescape(s string, echoStyle bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'v':
			b.WriteByte(11)
		case 'e':
			b.WriteByte(27)
		case '\\':
			b.WriteByte('\\')
		case 'c':
			return b.String(), true
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && strings.IndexByte("0123456789abcdefABCDEF", s[j]) >= 0 {
				j++
			}
			if j == i+1 {
				b.WriteString("\\x")
				continue
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 8)
			b.WriteByte(byte(n))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j, limit := i, i+3
			if s[i] == '0' && echoStyle {
				j, limit = i+1, i+4
			}
			for j < len(s) && j < limit && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint("0"+s[i:j], 8, 16)
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), false
}
