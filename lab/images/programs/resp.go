package programs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RESP, Redis's protocol: commands are arrays of bulk strings (or an
// inline line); replies are one of the types below.

// reply is one RESP value.
type reply struct {
	kind  byte // '+' status, '-' error, ':' integer, '$' bulk, '*' array
	str   string
	num   int64
	null  bool
	items []reply
}

func status(s string) reply      { return reply{kind: '+', str: s} }
func errReply(s string) reply    { return reply{kind: '-', str: s} }
func integer(n int64) reply      { return reply{kind: ':', num: n} }
func bulk(s string) reply        { return reply{kind: '$', str: s} }
func nullBulk() reply            { return reply{kind: '$', null: true} }
func array(items ...reply) reply { return reply{kind: '*', items: items} }
func (r reply) isError() bool    { return r.kind == '-' }
func wrongArgs(cmd string) reply {
	return errReply(fmt.Sprintf("ERR wrong number of arguments for '%s' command", cmd))
}
func notInteger() reply { return errReply("ERR value is not an integer or out of range") }
func wrongType() reply {
	return errReply("WRONGTYPE Operation against a key holding the wrong kind of value")
}
func bulks(items []string) reply {
	out := make([]reply, len(items))
	for i, s := range items {
		out[i] = bulk(s)
	}
	return array(out...)
}

// write encodes r.
func (r reply) write(w io.Writer) error {
	var b strings.Builder
	r.encode(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r reply) encode(b *strings.Builder) {
	switch r.kind {
	case '+', '-':
		b.WriteString(string(r.kind) + r.str + "\r\n")
	case ':':
		b.WriteString(":" + strconv.FormatInt(r.num, 10) + "\r\n")
	case '$':
		if r.null {
			b.WriteString("$-1\r\n")
			return
		}
		b.WriteString("$" + strconv.Itoa(len(r.str)) + "\r\n" + r.str + "\r\n")
	case '*':
		if r.null {
			b.WriteString("*-1\r\n")
			return
		}
		b.WriteString("*" + strconv.Itoa(len(r.items)) + "\r\n")
		for _, it := range r.items {
			it.encode(b)
		}
	}
}

// readCommand reads one command: a RESP array, or an inline line.
func readCommand(r *bufio.Reader) ([]string, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(line, "*") {
		return strings.Fields(line), nil
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, errors.New("protocol error: invalid multibulk length")
	}
	args := make([]string, 0, n)
	for range n {
		head, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(head, "$") {
			return nil, fmt.Errorf("protocol error: expected '$', got '%c'", head[0])
		}
		size, err := strconv.Atoi(head[1:])
		if err != nil || size < 0 || size > 512<<20 {
			return nil, errors.New("protocol error: invalid bulk length")
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		args = append(args, string(buf[:size]))
	}
	return args, nil
}

func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readReply reads one reply (redis-cli).
func readReply(r *bufio.Reader) (reply, error) {
	line, err := readLine(r)
	if err != nil {
		return reply{}, err
	}
	if line == "" {
		return reply{}, errors.New("empty reply")
	}
	switch line[0] {
	case '+', '-':
		return reply{kind: line[0], str: line[1:]}, nil
	case ':':
		n, _ := strconv.ParseInt(line[1:], 10, 64)
		return integer(n), nil
	case '$':
		size, _ := strconv.Atoi(line[1:])
		if size < 0 {
			return nullBulk(), nil
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return reply{}, err
		}
		return bulk(string(buf[:size])), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return reply{kind: '*', null: true}, nil
		}
		out := reply{kind: '*'}
		for range n {
			it, err := readReply(r)
			if err != nil {
				return reply{}, err
			}
			out.items = append(out.items, it)
		}
		return out, nil
	}
	return reply{}, fmt.Errorf("unknown reply type %q", line[0])
}

// encodeCommand is a command as a RESP array.
func encodeCommand(args []string) string {
	var b strings.Builder
	bulks(args).encode(&b)
	return b.String()
}
