package tools_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubelab/kubelab/lab/sandbox/sandboxtest"
	"github.com/kubelab/kubelab/lab/sandbox/tools"
)

// The outputs below are busybox 1.36's, compared by hand with busybox's
// own binary; a "~" prefix makes the want a regular expression.
var applets = []struct {
	name, script, stdout, stderr string
	status                       int
}{
	{"echo -n -e", `echo -n a; echo -e 'b\tc'; echo -E 'd\n'`, "ab\tc\nd\\n\n", "", 0},
	{"printf", `printf '%s=%d %05.1f %x %c|%-3s|\n' a 42 3.14159 255 z x`, "a=42 003.1 ff z|x  |\n", "", 0},
	{"printf reuses its format", `printf '%s\n' a b`, "a\nb\n", "", 0},
	{"sleep bad number", `sleep x`, "", "sleep: invalid number 'x'\n", 1},
	{"seq", `seq 3; seq -s, 2 4; seq -w 8 10`, "1\n2\n3\n2,3,4\n08\n09\n10\n", "", 0},
	{"basename dirname", `basename /a/b.txt .txt; dirname /a/b/; dirname b`, "b\n/a\n.\n", "", 0},
	{"ls -l", `mkdir /t && cd /t && echo hi > f && mkdir d && ln -s /etc/hostname l && ls -l | sed 's/ [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{5\} / DATE /'`,
		"total 8\ndrwxr-xr-x    2 root     root          4096 DATE d\n-rw-r--r--    1 root     root             3 DATE f\nlrwxrwxrwx    1 root     root            13 DATE l -> /etc/hostname\n", "", 0},
	{"ls -a -1 -R", `mkdir -p /t/a && touch /t/a/x /t/.h && ls -a /t; ls -R /t`, ".\n..\n.h\na\n/t:\na\n\n/t/a:\nx\n", "", 0},
	{"ls missing and files first", `touch /f; ls /nope /f /tmp`, "/f\n\n/tmp:\n", "ls: /nope: No such file or directory\n", 1},
	{"ls -ld", `ls -ld /tmp | cut -c1-10`, "drwxrwxrwt\n", "", 0},
	{"cat", `cat /nope; echo a | cat - ; printf 'x\ny\n' | cat -n`, "a\n     1\tx\n     2\ty\n", "cat: can't open '/nope': No such file or directory\n", 0},
	{"touch mkdir rmdir", `touch /a/b; mkdir /tmp; mkdir -p /x/y && rmdir /x; rmdir /nope`, "",
		"touch: /a/b: No such file or directory\nmkdir: can't create directory '/tmp': File exists\nrmdir: '/x': Directory not empty\nrmdir: '/nope': No such file or directory\n", 1},
	{"rm", `rm /nope; mkdir /d; rm /d; rm -f /nope && rm -r /d && echo gone`, "gone\n", "rm: can't remove '/nope': No such file or directory\nrm: '/d' is a directory\n", 0},
	{"cp mv", `echo x > /a; cp /a /b; mv /b /c; cat /c; cp /tmp /d; cp -r /etc /e && ls /e | head -1; mv /nope /z`, "x\ngroup\n",
		"cp: omitting directory '/tmp'\nmv: can't rename '/nope': No such file or directory\n", 1},
	{"mv an image directory (copies)", `mv /var/www /srv && ls -d /srv /var/www`, "/srv\n", "ls: /var/www: No such file or directory\n", 1},
	{"ln", `ln -s /etc/passwd /p && head -1 /p; ln -s x /p`, "root:x:0:0:root:/root:/bin/sh\n", "ln: /p: File exists\n", 1},
	{"chmod", `touch /f; chmod 750 /f; chmod g+w,o+r /f; chmod -x /f; stat -c '%a %A' /f`, "664 -rw-rw-r--\n", "", 0},
	{"chown", `touch /f; chown www-data:www-data /f; stat -c '%U:%G' /f; chown nosuch /f`, "www-data:www-data\n", "chown: unknown user nosuch\n", 1},
	{"stat", `stat -c '%n %s %F' /etc/hosts /tmp`, "/etc/hosts 205 regular file\n/tmp 4096 directory\n", "", 0},
	{"head tail", `seq 20 > /n; head -n 2 /n; head -3 /n | tail -1; tail -n 2 /n; tail -n +19 /n; tail -c 3 /n`, "1\n2\n3\n19\n20\n19\n20\n20\n", "", 0},
	{"grep", `grep root /etc/passwd | cut -d: -f1; grep -c x /etc/group; grep -q nobody /etc/passwd && echo q; grep -v -i ROOT /etc/group | head -1; grep -n -E 'ro+t' /etc/passwd; grep nope /etc/passwd; echo $?; grep x /nope; echo $?`,
		"root\n22\nq\ndaemon:x:1:\n1:root:x:0:0:root:/root:/bin/sh\n1\n2\n", "grep: /nope: No such file or directory\n", 0},
	{"grep -o -w -x and BRE", `echo 'aa b ab' | grep -o 'a\+'; echo 'cat catalog' | grep -ow cat; echo abc | grep -x 'a.c'`, "aa\na\ncat\nabc\n", "", 0},
	{"wc", `wc -l /etc/hosts; printf 'a b\nc' | wc; printf 'x\n' | wc -c`, "8 /etc/hosts\n        1         3         5\n2\n", "", 0},
	{"sort uniq", `printf '10\n9\n10\nb\na\n' | sort; printf '10\n9\n1\n' | sort -n -r; printf 'b 2\na 1\n' | sort -k 2; printf 'a\na\nb\n' | uniq -c`,
		"10\n10\n9\na\nb\n10\n9\n1\na 1\nb 2\n      2 a\n      1 b\n", "", 0},
	{"cut tr", `echo abcdef | cut -c 2-4; echo a:b:c | cut -d: -f 1,3; echo hello | tr a-z A-Z; echo 'a  b' | tr -s ' '; echo abc | tr -d b`,
		"bcd\na:c\nHELLO\na b\nac\n", "", 0},
	{"tee", `echo hi | tee /t1 /t2 > /dev/null; cat /t1 /t2`, "hi\nhi\n", "", 0},
	{"base64 sums", `echo hello | base64; echo aGVsbG8K | base64 -d; echo -n hello | md5sum; echo -n hello | sha256sum`,
		"aGVsbG8K\nhello\n5d41402abc4b2a76b9719d911017c592  -\n2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  -\n", "", 0},
	{"sed", `printf 'a1\nb2\nc3\n' | sed -n '/b/p'; echo hello | sed 's/l/L/2'; printf '1\n2\n3\n' | sed '2,$d'; printf 'x\n' | sed -e 's/x/y/' -e 'a\' -e 'z'`,
		"b2\nhelLo\n1\ny\nz\n", "", 0},
	{"sed -i", `echo 'port=80' > /c; sed -i.bak 's/80/8080/' /c; cat /c /c.bak`, "port=8080\nport=80\n", "", 0},
	{"awk", `echo 'a b c' | awk '{print $NF, NF}'; printf '3\n4\n' | awk '{s+=$1} END {print s/NR}'; awk -F: '$3 >= 65534 {print $1}' /etc/passwd; echo x | awk '{printf "%05.2f|%-4s|\n", 3.14159, $1}'; echo 'a-b-c' | awk '{n=split($0, p, "-"); print n, p[2]; gsub(/-/, "+"); print}'`,
		"c 3\n3.5\nnobody\n03.14|x   |\n3 b\na+b+c\n", "", 0},
	{"awk variables and NR", `printf 'a\nb\nc\n' | awk -v x=1 'NR > x {print NR": "$0}'; awk 'BEGIN {print length("abc"), substr("hello", 2, 3), index("abc","c"), toupper("x")}'`,
		"2: b\n3: c\n3 ell 3 X\n", "", 0},
	{"env printenv", `env -i A=1 B=2 env; FOO=bar printenv FOO; printenv NOPE; echo $?; env -i nosuch`, "A=1\nB=2\nbar\n1\n", "env: can't execute 'nosuch': No such file or directory\n", 127},
	{"id whoami hostname uname", `id -u; id -un; whoami; hostname; hostname -i; uname; uname -r; uname -n`,
		"0\nroot\nroot\nbox-7d4b9c\n10.244.0.7\nLinux\n6.1.0-kubelab\nbox-7d4b9c\n", "", 0},
	{"date", `date -d @0 -u '+%Y-%m-%d %H:%M:%S %a'; date -u | grep -c UTC; date -s 2020-01-01`, "1970-01-01 00:00:00 Thu\n1\n", "date: can't set date: Operation not permitted\n", 1},
	{"xargs", `echo 'a b c' | xargs -n 2 echo x; printf '1\n2\n' | xargs -I{} echo n{}; echo | xargs -r echo none`, "x a b\nx c\nn1\nn2\n", "", 0},
	{"find", `mkdir -p /f/g && touch /f/a.txt /f/g/b.txt /f/c.log && find /f -name '*.txt' | sort; find /f -maxdepth 1 -type d; find /f -name c.log -exec cat {} \; -print`,
		"/f/a.txt\n/f/g/b.txt\n/f\n/f/g\n/f/c.log\n", "", 0},
	{"du df mount", `mkdir /d && yes | head -c 5000 > /d/f && du -s /d; df / | head -1; mount | grep ' / '`,
		"12\t/d\nFilesystem           1K-blocks      Used Available Use% Mounted on\noverlay on / type overlay (rw,relatime)\n", "", 0},
	{"ps kill", `ps -o pid,args | head -2; kill -l 9; kill -9 999`, "PID      COMMAND\n1        sh -c ps -o pid,args | head -2; kill -l 9; kill -9 999\nKILL\n", "kill: can't kill pid 999: No such process\n", 1},
	{"free top", `free | head -1; top -b -n 1 | sed -n 4p`, "              total        used        free      shared  buff/cache   available\n  PID  PPID USER     STAT   VSZ %VSZ %CPU COMMAND\n", "", 0},
	{"nslookup", `nslookup kubernetes.default; nslookup nope`,
		"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n" +
			"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nope: NXDOMAIN\n\n", "", 1},
	{"ping", `ping -c 1 10.0.0.1`, "", "ping: permission denied (are you root?)\n", 1},
	{"tac rev readlink which", `seq 3 | tac | rev; readlink /proc/self/exe; which ls sh nope; echo $?`, "3\n2\n1\n/bin/readlink\n/bin/ls\n/bin/sh\n1\n", "", 0},
	{"timeout expr", `timeout 0.1 sleep 5; echo $?; expr 1 + 2 \* 3; expr length abc; expr abc : 'a\(.\)'`, "124\n7\n3\nb\n", "", 0},
	{"busybox", `busybox echo hi; busybox nosuch`, "hi\n", "nosuch: applet not found\n", 127},
	{"usage", `ls -z`, "", "ls: invalid option -- 'z'\n" + tools.Version + "\n\nUsage: ls [-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]...\n\n", 1},
}

func TestApplets(t *testing.T) {
	t.Parallel()
	for _, tt := range applets {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := sandboxtest.Sh(t, tt.script, nil)
			if r.Err != nil || !match(tt.stdout, r.Stdout) || !match(tt.stderr, r.Stderr) || r.Status != tt.status {
				t.Errorf("sh -c %q\n got stdout %q\n    stderr %q status %d %v\nwant stdout %q\n    stderr %q status %d",
					tt.script, r.Stdout, r.Stderr, r.Status, r.Err, tt.stdout, tt.stderr, tt.status)
			}
		})
	}
}

func match(want, got string) bool {
	if re, ok := strings.CutPrefix(want, "~"); ok {
		return regexp.MustCompile(re).MatchString(got)
	}
	return want == got
}

func TestWget(t *testing.T) {
	t.Parallel()
	b := sandboxtest.NewBox(t, nil)
	b.Net.Serve(t, "10.96.0.20:80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "hello from web\n")
	}))
	script := `wget -q -O - http://web; wget -O /tmp/page web/index.html 2>&1; cat /tmp/page; wget -q http://web/missing; echo $?; wget --spider -q web && echo exists; wget -q -O - -T 2 http://10.96.0.99/; echo $?`
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, err := b.Run(ctx, []string{"sh", "-c", script})
	want := "hello from web\nConnecting to web (10.96.0.20:80)\nsaving to '/tmp/page'\n" +
		"page                 100% |********************************|    15  0:00:00 ETA\n'/tmp/page' saved\nhello from web\n1\nexists\n1\n"
	wantErr := "wget: server returned error: HTTP/1.1 404 Not Found\nwget: can't connect to remote host (10.96.0.99): Connection refused\n"
	if err != nil || status != 0 || b.Stdout.String() != want || b.Stderr.String() != wantErr {
		t.Errorf("status %d %v\n got %q\nwant %q\n got stderr %q\nwant %q", status, err, b.Stdout, want, b.Stderr, wantErr)
	}
}

func TestNetcat(t *testing.T) {
	t.Parallel()
	b := sandboxtest.NewBox(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	script := `nc -l -p 7000 > /tmp/got & until echo ping | nc -w 1 localhost 7000 2>/dev/null; do sleep 0.05; done; wait; cat /tmp/got; nc -zv localhost 7001; echo $?`
	status, err := b.Run(ctx, []string{"sh", "-c", script})
	if err != nil || status != 0 || b.Stdout.String() != "ping\n1\n" || b.Stderr.String() != "nc: localhost (127.0.0.1:7001): Connection refused\n" {
		t.Errorf("status %d %v stdout %q stderr %q", status, err, b.Stdout, b.Stderr)
	}
}

func TestTailFollows(t *testing.T) {
	t.Parallel()
	b := sandboxtest.NewBox(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		s, _ := b.Run(ctx, []string{"sh", "-c", "echo first > /tmp/log; tail -f /tmp/log"})
		done <- s
	}()
	waitFor(t, func() bool { return b.Stdout.String() == "first\n" })
	for _, line := range []string{"second", "third"} {
		if s, err := b.Exec(context.Background(), []string{"sh", "-c", "echo " + line + " >> /tmp/log"}, nil, nil, nil, false); s != 0 || err != nil {
			t.Fatalf("exec: %d %v", s, err)
		}
	}
	waitFor(t, func() bool { return b.Stdout.String() == "first\nsecond\nthird\n" })
	cancel()
	select {
	case s := <-done:
		if s != 143 {
			t.Errorf("tail -f ended with %d, want 143", s)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("tail -f did not stop with its container")
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("waited 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	names := strings.Join(tools.Names(), " ")
	for _, want := range strings.Fields("sh ash busybox echo printf sleep ls cat env printenv date hostname wget nc touch mkdir rm rmdir cp mv ln test [ head tail grep wc sort uniq cut tr sed awk tee true false id whoami uname ps kill pwd basename dirname seq yes xargs find du df free nslookup ping base64 md5sum sha256sum stat chmod chown mount top tac rev readlink realpath which nproc timeout nohup mktemp expr") {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("Busybox has no %s", want)
		}
	}
}
