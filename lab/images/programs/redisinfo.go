package programs

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (r *redis) set(a []string) reply {
	if len(a) < 2 {
		return wrongArgs("set")
	}
	e := &entry{Str: a[1]}
	nx, xx := false, false
	for i := 2; i < len(a); i++ {
		switch opt := strings.ToUpper(a[i]); opt {
		case "NX":
			nx = true
		case "XX":
			xx = true
		case "EX", "PX":
			if i+1 >= len(a) {
				return errReply("ERR syntax error")
			}
			n, err := strconv.ParseInt(a[i+1], 10, 64)
			if err != nil || n <= 0 {
				return errReply("ERR invalid expire time in 'set' command")
			}
			unit := time.Second
			if opt == "PX" {
				unit = time.Millisecond
			}
			e.Expires = time.Now().Add(time.Duration(n) * unit)
			i++
		default:
			return errReply("ERR syntax error")
		}
	}
	exists := r.get(a[0]) != nil
	if nx && exists || xx && !exists {
		return nullBulk()
	}
	r.put(a[0], e)
	return status("OK")
}

func (r *redis) lrange(a []string) reply {
	start, err1 := strconv.Atoi(a[1])
	stop, err2 := strconv.Atoi(a[2])
	if err1 != nil || err2 != nil {
		return notInteger()
	}
	e := r.get(a[0])
	if e == nil {
		return array()
	}
	if !e.IsList {
		return wrongType()
	}
	n := len(e.List)
	if start < 0 {
		start = max(n+start, 0)
	}
	if stop < 0 {
		stop = n + stop
	}
	stop = min(stop, n-1)
	if start > stop {
		return array()
	}
	return bulks(e.List[start : stop+1])
}

func (r *redis) config(a []string) reply {
	if len(a) < 2 || !strings.EqualFold(a[0], "get") {
		return errReply("ERR unknown subcommand or wrong number of arguments for 'config' command")
	}
	values := map[string]string{"port": strconv.Itoa(r.port), "dir": r.dir, "dbfilename": r.dbfile, "requirepass": r.pass,
		"save": "3600 1 300 100 60 10000", "appendonly": "no", "maxmemory": "0", "protected-mode": "no", "bind": "* -::*"}
	var out []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		if ok, _ := path.Match(a[1], k); ok {
			out = append(out, k, values[k])
		}
	}
	return bulks(out)
}

func (r *redis) info(a []string) string {
	keys, expires := 0, 0
	for _, e := range r.data {
		keys++
		if !e.Expires.IsZero() {
			expires++
		}
	}
	sections := []struct{ name, body string }{
		{"server", fmt.Sprintf("redis_version:%s\r\nredis_mode:standalone\r\nos:Linux 6.12.48 x86_64\r\narch_bits:64\r\nprocess_id:1\r\ntcp_port:%d\r\nuptime_in_seconds:%d\r\nexecutable:/data/redis-server\r\n",
			r.version, r.port, int(time.Since(r.started).Seconds()))},
		{"clients", fmt.Sprintf("connected_clients:%d\r\n", r.clients.Load())},
		{"memory", fmt.Sprintf("used_memory:%d\r\nused_memory_human:%.2fK\r\nmaxmemory:0\r\n", r.held+900000, float64(r.held+900000)/1024)},
		{"persistence", "loading:0\r\nrdb_changes_since_last_save:0\r\n"},
		{"keyspace", func() string {
			if keys == 0 {
				return ""
			}
			return fmt.Sprintf("db0:keys=%d,expires=%d,avg_ttl=0,subexpiry=0\r\n", keys, expires)
		}()},
	}
	var b strings.Builder
	for _, s := range sections {
		if len(a) > 0 && !strings.EqualFold(a[0], s.name) && !strings.EqualFold(a[0], "all") && !strings.EqualFold(a[0], "everything") {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + strings.ToUpper(s.name[:1]) + s.name[1:] + "\r\n" + s.body)
	}
	return b.String()
}
