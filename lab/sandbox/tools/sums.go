package tools

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

func base64Cmd(c *cmd, args []string) int {
	f, files, ok := c.getopt(args, "dw:i", map[string]byte{"decode": 'd', "wrap=": 'w'}, false)
	if !ok || len(files) > 1 {
		return c.usage()
	}
	name := "-"
	if len(files) == 1 {
		name = files[0]
	}
	data, err := c.readAll(name)
	if err != nil {
		c.errf("can't open '%s': %s", name, errText(err))
		return 1
	}
	if f.has('d') {
		clean := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(data))
		out, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
		}
		c.out.Write(out)
		if err != nil {
			c.errf("invalid input")
			return 1
		}
		return 0
	}
	wrap := 76
	if w, ok := f.val('w'); ok {
		wrap, _ = strconv.Atoi(w)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for wrap > 0 && len(enc) > wrap {
		fmt.Fprintln(c.out, enc[:wrap])
		enc = enc[wrap:]
	}
	if enc != "" || len(data) == 0 {
		fmt.Fprintln(c.out, enc)
	}
	return 0
}

// summer makes md5sum, sha1sum, sha256sum, sha512sum.
func summer(newHash func() hash.Hash) func(c *cmd, args []string) int {
	return func(c *cmd, args []string) int {
		f, files, ok := c.getopt(args, "cswb", map[string]byte{"check": 'c', "status": 's'}, false)
		if !ok {
			return c.usage()
		}
		sum := func(r io.Reader) string {
			h := newHash()
			io.Copy(h, ctxReader{c.ctx, r})
			return hex.EncodeToString(h.Sum(nil))
		}
		if !f.has('c') {
			return c.eachInput(files, true, func(name string, r io.Reader) error {
				fmt.Fprintf(c.out, "%s  %s\n", sum(r), name)
				return nil
			})
		}
		bad := 0
		status := c.eachInput(files, true, func(_ string, r io.Reader) error {
			return c.lines(r, func(line string) bool {
				want, name, ok := strings.Cut(line, "  ")
				if !ok {
					return true
				}
				got := ""
				if fr, err := c.open(name); err == nil {
					got = sum(fr)
					fr.Close()
				} else {
					c.errf("can't open '%s': %s", name, errText(err))
				}
				result := "OK"
				if got != want {
					result, bad = "FAILED", bad+1
				}
				if !f.has('s') {
					fmt.Fprintf(c.out, "%s: %s\n", name, result)
				}
				return true
			})
		})
		if bad > 0 {
			if !f.has('s') {
				c.errf("WARNING: %d of the computed checksums did NOT match", bad)
			}
			return 1
		}
		return status
	}
}

var (
	md5sum    = summer(md5.New)
	sha1sum   = summer(sha1.New)
	sha256sum = summer(sha256.New)
	sha512sum = summer(sha512.New)
)
