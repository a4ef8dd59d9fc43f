package programs

import (
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/inmem"
)

// redis-server as the image starts it, and redis-cli as kubectl exec
// runs it: PING, strings, counters, keys, INFO; SIGTERM saves and exits 0,
// and the next container on the same volume has the data back.
func TestRedisServesAndKeepsItsData(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	fs := imageFS(t, "redis")
	b := runImage(t, n, "10.244.1.7", "redis", fs, 0)
	waitFor(t, b.stdout(), "Ready to accept connections tcp")
	if b.proc.UID != 0 {
		t.Fatal("the test proc changed")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"redis-cli", "ping"}, "PONG\n"},
		{[]string{"redis-cli", "set", "greeting", "hello"}, "OK\n"},
		{[]string{"redis-cli", "get", "greeting"}, "hello\n"},
		{[]string{"redis-cli", "incr", "visits"}, "1\n"},
		{[]string{"redis-cli", "incr", "visits"}, "2\n"},
		{[]string{"redis-cli", "keys", "*"}, "greeting\nvisits\n"},
		{[]string{"redis-cli", "get", "nothing"}, "\n"},
		{[]string{"redis-cli", "-h", "10.244.1.7", "-p", "6379", "rpush", "jobs", "a", "b"}, "2\n"},
		{[]string{"redis-cli", "lrange", "jobs", "0", "-1"}, "a\nb\n"},
	} {
		if out, errOut, code := b.exec(t, "redis", c.args...); code != 0 || out != c.want {
			t.Errorf("%v: %q %q exit %d, want %q", c.args, out, errOut, code, c.want)
		}
	}
	if out, _, code := b.exec(t, "redis", "redis-cli", "incr", "greeting"); code != 1 || out != "ERR value is not an integer or out of range\n" {
		t.Errorf("incr of a string: %q exit %d", out, code)
	}
	if out, _, _ := b.exec(t, "redis", "redis-cli", "info", "server"); !strings.Contains(out, "redis_version:"+redisDefaultVer+"\r\n") || !strings.HasPrefix(out, "# Server\r\n") {
		t.Errorf("info server:\n%s", out)
	}
	for _, want := range []string{
		"1:C ", " * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n",
		" # Warning: no config file specified, using the default config.",
		"1:M ", " * Running mode=standalone, port=6379.\n",
	} {
		if !strings.Contains(b.stdout().String(), want) {
			t.Errorf("no %q in:\n%s", want, b.stdout())
		}
	}
	if code, ok := b.run.Stop(10 * time.Second); !ok || code != 0 {
		t.Fatalf("SIGTERM: exit %d (%v)\n%s", code, ok, b.stdout())
	}
	if !strings.HasSuffix(b.stdout().String(), " # Redis is now ready to exit, bye bye...\n") || !strings.Contains(b.stdout().String(), "Received SIGTERM scheduling shutdown...") {
		t.Errorf("shutdown lines:\n%s", b.stdout())
	}
	again := runImage(t, n, "10.244.1.7", "redis", fs, 0)
	waitFor(t, again.stdout(), "Ready to accept connections tcp")
	if out, _, _ := again.exec(t, "redis", "redis-cli", "get", "visits"); out != "2\n" {
		t.Errorf("after a restart on the same volume: %q\n%s", out, again.stdout())
	}
}

func TestRedisPasswordPortClashAndOOM(t *testing.T) {
	t.Parallel()
	n := inmem.NewMemNet()
	b := runImage(t, n, "10.244.1.7", "redis", imageFS(t, "redis"), 0, "redis-server", "--requirepass", "s3cret")
	waitFor(t, b.stdout(), "Ready to accept connections tcp")
	if out, _, code := b.exec(t, "redis", "redis-cli", "get", "x"); code != 1 || out != "NOAUTH Authentication required.\n" {
		t.Errorf("without the password: %q exit %d", out, code)
	}
	if out, _, code := b.exec(t, "redis", "redis-cli", "-a", "s3cret", "ping"); code != 0 || out != "PONG\n" {
		t.Errorf("with the password: %q exit %d", out, code)
	}
	// A second server in the pod: the port is taken.
	second := runImage(t, n, "10.244.1.7", "redis", imageFS(t, "redis"), 0)
	if code, ok := second.run.Wait(5 * time.Second); !ok || code != 1 || !strings.Contains(second.stdout().String(), "# Warning: Could not create server TCP listening socket *:6379: bind: Address already in use\n") {
		t.Errorf("a second redis: exit %d (%v)\n%s", code, ok, second.stdout())
	}
	if _, errOut, code := b.exec(t, "redis", "redis-cli", "-p", "6380", "ping"); code != 1 || errOut != "Could not connect to Redis at 127.0.0.1:6380: Connection refused\n" {
		t.Errorf("a port nobody listens on: %q exit %d", errOut, code)
	}
	// Data past the memory limit: the kernel's OOM kill.
	meter := inmem.NewMeter(1 << 20)
	small := runImageWith(t, n, "10.244.1.8", "redis", imageFS(t, "redis"), 0, meter)
	waitFor(t, small.stdout(), "Ready to accept connections tcp")
	if out, _, code := small.exec(t, "redis", "redis-cli", "set", "small", "x"); code != 0 || out != "OK\n" {
		t.Fatalf("set under the limit: %q exit %d", out, code)
	}
	small.exec(t, "redis", "redis-cli", "set", "big", strings.Repeat("x", 2<<20))
	if code, ok := small.run.Wait(5 * time.Second); !ok || code != 137 || !meter.OOMKilled() {
		t.Errorf("over its memory limit: exit %d (%v)", code, ok)
	}
}
