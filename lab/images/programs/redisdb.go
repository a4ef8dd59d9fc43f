package programs

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// entry is one key's value: a string or a list.
type entry struct {
	Str     string    `json:"s,omitempty"`
	List    []string  `json:"l,omitempty"`
	IsList  bool      `json:"list,omitempty"`
	Expires time.Time `json:"e,omitempty"`
}

func (e *entry) size() int64 {
	n := int64(len(e.Str)) + 64
	for _, s := range e.List {
		n += int64(len(s)) + 16
	}
	return n
}

// get is key's live entry (an expired one is gone). Called with r.mu held.
func (r *redis) get(key string) *entry {
	e := r.data[key]
	if e != nil && !e.Expires.IsZero() && !time.Now().Before(e.Expires) {
		r.remove(key)
		return nil
	}
	return e
}

func (r *redis) remove(key string) bool {
	e := r.data[key]
	if e == nil {
		return false
	}
	r.grow(-e.size())
	delete(r.data, key)
	return true
}

// put stores e as key, metering the memory it takes.
func (r *redis) put(key string, e *entry) {
	r.remove(key)
	r.data[key] = e
	r.grow(e.size() + int64(len(key)))
}

// command runs one command. Called with r.mu held.
func (r *redis) command(args []string) reply {
	name := strings.ToLower(args[0])
	a := args[1:]
	arity := map[string]int{"get": 1, "incr": 1, "decr": 1, "incrby": 2, "decrby": 2, "ttl": 1, "persist": 1, "type": 1,
		"strlen": 1, "append": 2, "expire": 2, "llen": 1, "lpop": 1, "rpop": 1, "lrange": 3, "keys": 1, "echo": 1, "select": 1}
	if want, ok := arity[name]; ok && len(a) < want {
		return wrongArgs(name)
	}
	switch name {
	case "ping":
		if len(a) > 0 {
			return bulk(a[0])
		}
		return status("PONG")
	case "echo":
		return bulk(a[0])
	case "select":
		if a[0] != "0" {
			return errReply("ERR DB index is out of range")
		}
		return status("OK")
	case "set":
		return r.set(a)
	case "get":
		e := r.get(a[0])
		switch {
		case e == nil:
			return nullBulk()
		case e.IsList:
			return wrongType()
		}
		return bulk(e.Str)
	case "mget":
		out := make([]reply, len(a))
		for i, k := range a {
			if e := r.get(k); e != nil && !e.IsList {
				out[i] = bulk(e.Str)
			} else {
				out[i] = nullBulk()
			}
		}
		return array(out...)
	case "del", "unlink":
		if len(a) == 0 {
			return wrongArgs(name)
		}
		n := int64(0)
		for _, k := range a {
			if r.get(k) != nil && r.remove(k) {
				n++
			}
		}
		return integer(n)
	case "exists":
		n := int64(0)
		for _, k := range a {
			if r.get(k) != nil {
				n++
			}
		}
		return integer(n)
	case "incr", "decr", "incrby", "decrby":
		by := int64(1)
		if len(a) > 1 {
			v, err := strconv.ParseInt(a[1], 10, 64)
			if err != nil {
				return notInteger()
			}
			by = v
		}
		if strings.HasPrefix(name, "decr") {
			by = -by
		}
		e := r.get(a[0])
		cur := int64(0)
		if e != nil {
			if e.IsList {
				return wrongType()
			}
			v, err := strconv.ParseInt(e.Str, 10, 64)
			if err != nil {
				return notInteger()
			}
			cur = v
		}
		next := &entry{Str: strconv.FormatInt(cur+by, 10)}
		if e != nil {
			next.Expires = e.Expires
		}
		r.put(a[0], next)
		return integer(cur + by)
	case "append":
		e := r.get(a[0])
		if e != nil && e.IsList {
			return wrongType()
		}
		s := a[1]
		if e != nil {
			s = e.Str + s
		}
		r.put(a[0], &entry{Str: s})
		return integer(int64(len(s)))
	case "strlen":
		if e := r.get(a[0]); e != nil && !e.IsList {
			return integer(int64(len(e.Str)))
		}
		return integer(0)
	case "keys":
		var out []string
		for k := range r.data {
			if ok, _ := path.Match(a[0], k); ok && r.get(k) != nil {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return bulks(out)
	case "expire":
		secs, err := strconv.ParseInt(a[1], 10, 64)
		if err != nil {
			return notInteger()
		}
		e := r.get(a[0])
		if e == nil {
			return integer(0)
		}
		e.Expires = time.Now().Add(time.Duration(secs) * time.Second)
		return integer(1)
	case "ttl":
		e := r.get(a[0])
		switch {
		case e == nil:
			return integer(-2)
		case e.Expires.IsZero():
			return integer(-1)
		}
		return integer(int64(time.Until(e.Expires).Round(time.Second) / time.Second))
	case "persist":
		e := r.get(a[0])
		if e == nil || e.Expires.IsZero() {
			return integer(0)
		}
		e.Expires = time.Time{}
		return integer(1)
	case "type":
		e := r.get(a[0])
		switch {
		case e == nil:
			return status("none")
		case e.IsList:
			return status("list")
		}
		return status("string")
	case "lpush", "rpush":
		if len(a) < 2 {
			return wrongArgs(name)
		}
		e := r.get(a[0])
		if e != nil && !e.IsList {
			return wrongType()
		}
		list := []string{}
		if e != nil {
			list = e.List
		}
		for _, v := range a[1:] {
			if name == "lpush" {
				list = append([]string{v}, list...)
			} else {
				list = append(list, v)
			}
		}
		r.put(a[0], &entry{List: list, IsList: true})
		return integer(int64(len(list)))
	case "lpop", "rpop":
		e := r.get(a[0])
		if e == nil {
			return nullBulk()
		}
		if !e.IsList {
			return wrongType()
		}
		var v string
		list := slices.Clone(e.List)
		if name == "lpop" {
			v, list = list[0], list[1:]
		} else {
			v, list = list[len(list)-1], list[:len(list)-1]
		}
		if len(list) == 0 {
			r.remove(a[0])
		} else {
			r.put(a[0], &entry{List: list, IsList: true})
		}
		return bulk(v)
	case "llen":
		e := r.get(a[0])
		if e != nil && !e.IsList {
			return wrongType()
		}
		if e == nil {
			return integer(0)
		}
		return integer(int64(len(e.List)))
	case "lrange":
		return r.lrange(a)
	case "dbsize":
		return integer(int64(len(r.data)))
	case "flushdb", "flushall":
		for k := range r.data {
			r.remove(k)
		}
		return status("OK")
	case "info":
		return bulk(r.info(a))
	case "command":
		return array()
	case "client":
		if len(a) > 0 && strings.EqualFold(a[0], "setname") || len(a) > 0 && strings.EqualFold(a[0], "setinfo") {
			return status("OK")
		}
		return errReply("ERR unknown subcommand or wrong number of arguments for 'client' command")
	case "config":
		return r.config(a)
	case "save":
		if err := r.save(); err != nil {
			return errReply("ERR " + err.Error())
		}
		return status("OK")
	case "bgsave":
		if err := r.save(); err != nil {
			return errReply("ERR " + err.Error())
		}
		return status("Background saving started")
	}
	var quoted []string
	for _, x := range a {
		quoted = append(quoted, "'"+x+"'")
	}
	return errReply(fmt.Sprintf("ERR unknown command '%s', with args beginning with: %s", args[0], strings.Join(quoted, " ")+" "))
}
