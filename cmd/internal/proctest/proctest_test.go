package proctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary is also the child process the tests start: PROCTEST_ROLE
// says what it plays.
func TestMain(m *testing.M) {
	switch os.Getenv("PROCTEST_ROLE") {
	case "":
		os.Exit(m.Run())
	case "daemon":
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM)
		fmt.Fprintln(os.Stderr, "child says hello on stderr")
		fmt.Println("a line before the ready line")
		fmt.Println("child ready at http://127.0.0.1:1234 as " + os.Getenv("PARTSEDGE_NAME"))
		fmt.Println("child broker at tcp://127.0.0.1:5678")
		fmt.Println("child sees PARTSEDGE_LEAK=" + os.Getenv("PARTSEDGE_LEAK"))
		<-stop
		os.Exit(3)
	default:
		os.Exit(9)
	}
}

var childReady = regexp.MustCompile(`^child ready at (\S+) as (\S*)$`)

func startChild(t *testing.T) *Proc {
	t.Helper()
	return Start(t, Spec{Name: "child", Bin: os.Args[0], Env: []string{"PROCTEST_ROLE=daemon", "PARTSEDGE_NAME=C1"}, Ready: childReady})
}

// TestStartAndStop: Start returns at the ready line with its submatches,
// the test's own PARTSEDGE_* settings do not reach the child, later lines
// can be waited for, and Stop returns the exit code.
func TestStartAndStop(t *testing.T) {
	t.Setenv("PARTSEDGE_LEAK", "from-the-shell")
	p := startChild(t)
	if p.Ready[1] != "http://127.0.0.1:1234" || p.Ready[2] != "C1" {
		t.Fatalf("ready submatches %q", p.Ready)
	}
	if first := p.Out.All()[0]; first != "a line before the ready line" {
		t.Fatalf("first line %q", first)
	}
	if m := p.Wait(t, regexp.MustCompile(`^child broker at (\S+)$`)); m[1] != "tcp://127.0.0.1:5678" {
		t.Fatalf("broker line %q", m)
	}
	if m := p.Wait(t, regexp.MustCompile(`^child sees PARTSEDGE_LEAK=(.*)$`)); m[1] != "" {
		t.Fatalf("the test's own setting reached the child: %q", m[0])
	}
	if code := p.Stop(t, syscall.SIGTERM); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
	if !strings.Contains(p.Stderr.String(), "child says hello on stderr") {
		t.Fatalf("stderr %q", p.Stderr.String())
	}
	select {
	case <-p.Exited():
	default:
		t.Fatal("Exited is open after Stop")
	}
}

// TestKill: Kill is kill -9 and returns once the process is reaped; a
// second Kill does nothing.
func TestKill(t *testing.T) {
	p := startChild(t)
	p.Kill()
	select {
	case <-p.Exited():
	default:
		t.Fatal("Kill returned before the process was reaped")
	}
	if st := p.Cmd.ProcessState; st == nil || st.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("state after Kill: %v", st)
	}
	p.Kill()
}

func TestEnv(t *testing.T) {
	t.Setenv("PARTSEDGE_LEAK", "x")
	t.Setenv("PROCTEST_KEEP", "y")
	env := strings.Join(Env("PARTSEDGE_GIVEN=z"), "\n")
	for _, tc := range []struct {
		kv   string
		want bool
	}{{"PARTSEDGE_LEAK=x", false}, {"PROCTEST_KEEP=y", true}, {"PARTSEDGE_GIVEN=z", true}} {
		if got := strings.Contains(env, tc.kv); got != tc.want {
			t.Errorf("%s in the env: %v, want %v", tc.kv, got, tc.want)
		}
	}
}

func TestLinesFind(t *testing.T) {
	re := regexp.MustCompile(`^ready (\d+)$`)
	for _, tc := range []struct {
		name   string
		input  string
		end    bool
		want   string
		errHas string
	}{
		{"match after other lines", "a\nb\nready 42\nc\n", true, "42", ""},
		{"first match wins", "ready 1\nready 2\n", false, "1", ""},
		{"ended without a match", "a\nb\n", true, "", "ended with no line matching"},
		{"still open without a match", "a\n", false, "", "no line matching"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			l := WatchLines(pr)
			go func() {
				io.WriteString(pw, tc.input)
				if tc.end {
					pw.Close()
				}
			}()
			// A match or the stream's end answers at once; only the open
			// stream with no match waits the (short) bound.
			m, err := l.find(re, 200*time.Millisecond)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("error %v, want %q", err, tc.errHas)
				}
				return
			}
			if err != nil || m[1] != tc.want {
				t.Fatalf("match %q %v, want %s", m, err, tc.want)
			}
		})
	}
}

func TestBufferTail(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{{"short", 10, "short"}, {"exactly", 7, "exactly"}, {"a long log", 3, "...log"}} {
		var b Buffer
		fmt.Fprint(&b, tc.in)
		if got := b.Tail(tc.n); got != tc.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestBinaries: a package is built once however often it is asked for,
// and Remove takes the folder away.
func TestBinaries(t *testing.T) {
	var b Binaries
	bin := b.Path(t, "./testdata/hello")
	out, err := exec.Command(bin).Output()
	if err != nil || string(out) != "hello\n" {
		t.Fatalf("run %s: %q %v", bin, out, err)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, time.Time{}, st.ModTime().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again := b.Path(t, "testdata/hello"); again != bin {
		t.Fatalf("second path %s, first %s", again, bin)
	}
	if st2, _ := os.Stat(bin); !st2.ModTime().Equal(st.ModTime().Add(-time.Hour)) {
		t.Fatal("the binary was built again")
	}
	if err := b.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after Remove: %v", err)
	}
}

func TestDo(t *testing.T) {
	type seen struct{ Method, Auth, Key, Type, Body string }
	var got seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.Header.Get("Authorization"), r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type"), string(b)}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name, method, token, key string
		body                     any
		want                     seen
	}{
		{"a post with a key", "POST", "tok-0123456789abcdef", "k-1", map[string]int{"qty": 2},
			seen{"POST", "Bearer tok-0123456789abcdef", "k-1", "application/json", `{"qty":2}`}},
		{"a bare get", "GET", "", "", nil, seen{Method: "GET"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, err := Do(context.Background(), srv.Client(), tc.method, srv.URL, tc.token, tc.key, tc.body)
			if err != nil || code != http.StatusCreated || string(body) != `{"ok":true}` {
				t.Fatalf("%d %s %v", code, body, err)
			}
			if got != tc.want {
				t.Fatalf("the server saw %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, _, err := Do(context.Background(), srv.Client(), "POST", srv.URL, "", "", func() {}); err == nil {
		t.Fatal("a body JSON cannot encode was sent")
	}
	var v struct{ OK bool }
	if _, body, _ := Do(context.Background(), srv.Client(), "GET", srv.URL, "", "", nil); json.Unmarshal(body, &v) != nil || !v.OK {
		t.Fatalf("answer %s", body)
	}
}
