package tools

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// countArg reads head/tail's -n N (also +N for tail, and the old -N).
func countArg(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9' {
			out = append(out, "-n", a[1:])
			continue
		}
		out = append(out, a)
	}
	return out
}

func head(c *cmd, args []string) int {
	f, files, ok := c.getopt(countArg(args), "n:c:qv", map[string]byte{"lines=": 'n', "bytes=": 'c'}, false)
	if !ok {
		return c.usage()
	}
	lines, bytesMode := int64(10), false
	if v, ok := f.val('n'); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			c.errf("invalid number '%s'", v)
			return 1
		}
		lines = n
	}
	if v, ok := f.val('c'); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			c.errf("invalid number '%s'", v)
			return 1
		}
		lines, bytesMode = n, true
	}
	many := len(files) > 1 && !f.has('q') || f.has('v')
	k := 0
	return c.eachInput(files, true, func(name string, r io.Reader) error {
		if many {
			if k > 0 {
				c.out.WriteString("\n")
			}
			fmt.Fprintf(c.out, "==> %s <==\n", name)
			k++
		}
		if bytesMode {
			_, err := io.Copy(c.out, io.LimitReader(r, lines))
			return err
		}
		br := bufio.NewReader(ctxReader{c.ctx, r})
		for n := int64(0); n < lines; n++ {
			line, err := br.ReadString('\n')
			c.out.WriteString(line)
			if err != nil {
				break
			}
		}
		return nil
	})
}

func tail(c *cmd, args []string) int {
	f, files, ok := c.getopt(countArg(args), "n:c:fFqvs:", map[string]byte{"lines=": 'n', "follow": 'f', "bytes=": 'c'}, false)
	if !ok {
		return c.usage()
	}
	count, fromStart, bytesMode := int64(10), false, false
	for _, fl := range []byte{'n', 'c'} {
		if v, ok := f.val(fl); ok {
			fromStart = strings.HasPrefix(v, "+")
			n, err := strconv.ParseInt(strings.TrimLeft(v, "+-"), 10, 64)
			if err != nil {
				c.errf("invalid number '%s'", v)
				return 1
			}
			count, bytesMode = n, fl == 'c'
		}
	}
	follow := f.has('f') || f.has('F')
	many := len(files) > 1 && !f.has('q') || f.has('v')
	k := 0
	status := c.eachInput(files, true, func(name string, r io.Reader) error {
		if many {
			if k > 0 {
				c.out.WriteString("\n")
			}
			fmt.Fprintf(c.out, "==> %s <==\n", name)
			k++
		}
		data, err := io.ReadAll(io.LimitReader(ctxReader{c.ctx, r}, maxRead))
		if err != nil {
			return err
		}
		c.out.Write(tailOf(data, count, fromStart, bytesMode))
		return nil
	})
	if !follow || status != 0 {
		return status
	}
	if len(files) == 0 || files[len(files)-1] == "-" {
		c.out.Flush()
		io.Copy(c.p.Stdout, ctxReader{c.ctx, c.p.Stdin})
		return 0
	}
	return c.follow(files[len(files)-1])
}

// tailOf returns the last count lines (bytes) of data, or from line
// count on where fromStart.
func tailOf(data []byte, count int64, fromStart, bytesMode bool) []byte {
	if bytesMode {
		if fromStart {
			return data[min(int64(len(data)), max(0, count-1)):]
		}
		return data[max(0, int64(len(data))-count):]
	}
	if fromStart {
		for n := int64(1); n < count && len(data) > 0; n++ {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				return nil
			}
			data = data[i+1:]
		}
		return data
	}
	end := len(data)
	if end > 0 && data[end-1] == '\n' {
		end--
	}
	start := end
	for n := int64(0); n < count; n++ {
		i := bytes.LastIndexByte(data[:start], '\n')
		if i < 0 {
			return data
		}
		start = i
	}
	return data[start+1:]
}

// follow prints what is appended to a file until ctx ends (tail -f),
// reopening it where it was replaced or truncated.
func (c *cmd) follow(name string) int {
	var off int64
	if fi, err := c.p.FS.Stat(name); err == nil {
		off = fi.Size()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	buf := make([]byte, 32<<10)
	for {
		c.out.Flush()
		select {
		case <-c.ctx.Done():
			return 128 + 15
		case <-tick.C:
		}
		fi, err := c.p.FS.Stat(name)
		if err != nil {
			continue
		}
		if fi.Size() < off {
			fmt.Fprintf(c.p.Stderr, "tail: %s: file truncated\n", name)
			off = 0
		}
		if fi.Size() == off {
			continue
		}
		fl, err := c.p.FS.Open(name)
		if err != nil {
			continue
		}
		if s, ok := fl.(io.Seeker); ok {
			s.Seek(off, io.SeekStart)
		}
		for {
			n, err := fl.Read(buf)
			c.out.Write(buf[:n])
			off += int64(n)
			if err != nil || n == 0 {
				break
			}
		}
		fl.Close()
	}
}

func wc(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "lwcmL", map[string]byte{"lines": 'l', "words": 'w', "bytes": 'c', "chars": 'm'}, false)
	if !ok {
		return c.usage()
	}
	all := !f.has('l') && !f.has('w') && !f.has('c') && !f.has('m') && !f.has('L')
	var total [5]int64
	shown := 0
	print := func(cnt [5]int64, name string) {
		var parts []string
		for k, fl := range []byte{'l', 'w', 'c', 'm', 'L'} {
			if f.has(fl) || all && k < 3 {
				parts = append(parts, fmt.Sprintf("%9d", cnt[k]))
			}
		}
		s := strings.Join(parts, " ")
		if len(parts) == 1 {
			s = strings.TrimSpace(s)
		}
		if name != "" {
			s += " " + name
		}
		fmt.Fprintln(c.out, s)
	}
	status := c.eachInput(files, true, func(name string, r io.Reader) error {
		var cnt [5]int64
		br := bufio.NewReader(ctxReader{c.ctx, r})
		inWord := false
		var lineLen int64
		for {
			ch, size, err := br.ReadRune()
			if err != nil {
				break
			}
			cnt[2] += int64(size)
			cnt[3]++
			switch {
			case ch == '\n':
				cnt[0]++
				cnt[4] = max(cnt[4], lineLen)
				lineLen = 0
				inWord = false
			case ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f':
				lineLen++
				inWord = false
			default:
				lineLen++
				if !inWord {
					cnt[1]++
					inWord = true
				}
			}
		}
		cnt[4] = max(cnt[4], lineLen)
		for k := range total {
			total[k] += cnt[k]
		}
		if name == "-" {
			name = ""
		}
		print(cnt, name)
		shown++
		return nil
	})
	if shown > 1 {
		print(total, "total")
	}
	return status
}

func tee(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "ai", map[string]byte{"append": 'a'}, false)
	if !ok {
		return c.usage()
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if f.has('a') {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	writers := []io.Writer{c.p.Stdout}
	status := 0
	for _, name := range files {
		fl, err := c.p.FS.OpenFile(name, flag, 0o666)
		if err != nil {
			c.perror(name, err)
			status = 1
			continue
		}
		defer fl.Close()
		writers = append(writers, fl)
	}
	c.out.Flush()
	buf := make([]byte, 32<<10)
	r := ctxReader{c.ctx, c.p.Stdin}
	for {
		n, err := r.Read(buf)
		for _, w := range writers {
			w.Write(buf[:n])
		}
		if err != nil {
			break
		}
	}
	return status
}
