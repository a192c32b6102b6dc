package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/proctest"
)

// lockedBuffer collects a process's stderr while the test reads it.
type lockedBuffer = proctest.Buffer

// bins is depotd (and devsim) compiled once for the whole test process:
// every test and benchmark that runs the real daemon runs the same binary,
// and `go build` is paid once, not per test (or per benchmark round).
var bins proctest.Binaries

func TestMain(m *testing.M) {
	code := m.Run()
	bins.Remove()
	os.Exit(code)
}

func buildDepotd(t testing.TB) string {
	t.Helper()
	return bins.Path(t, ".")
}

type daemon struct {
	p      *proctest.Proc
	cmd    *exec.Cmd
	ready  string // the ready line
	base   string
	token  string // the token on the ready line, if any
	stderr *lockedBuffer
}

var readyLine = regexp.MustCompile(`^depotd (\S+) ready at (http://127\.0\.0\.1:\d+)( \(admin token: (\S+)\))?$`)

// startDaemon runs depotd with only the given PARTSEDGE_* settings and waits
// for its ready line, which must be its first, and for /readyz, which must
// answer at once: depotd says ready only once it is.
func startDaemon(t testing.TB, bin string, env ...string) *daemon {
	t.Helper()
	p := proctest.Start(t, proctest.Spec{Name: "depotd", Bin: bin, Env: env, Ready: readyLine})
	d := &daemon{p: p, cmd: p.Cmd, ready: p.Ready[0], base: p.Ready[2], token: p.Ready[4], stderr: p.Stderr}
	if first := p.Out.All()[0]; first != d.ready {
		t.Fatalf("depotd's first line %q is not its ready line", first)
	}
	if code, body := d.call(t, "GET", "/readyz", "", ""); code != 200 {
		t.Fatalf("readyz after the ready line: %d %s", code, body)
	}
	return d
}

func (d *daemon) call(t testing.TB, method, path, token, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, d.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stop signals depotd and returns its exit code.
func (d *daemon) stop(t testing.TB, sig syscall.Signal) int {
	t.Helper()
	return d.p.Stop(t, sig)
}

func TestDepotdServesStopsAndKeepsEvents(t *testing.T) {
	bin := buildDepotd(t)
	const token = "lifecycle-admin-token-0123456789"
	env := []string{"PARTSEDGE_DEPOT=LIFE-1", "PARTSEDGE_DATA=" + t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_ADMIN_TOKEN=" + token, "PARTSEDGE_LOG_LEVEL=info"}

	d := startDaemon(t, bin, env...)
	if d.token != token || !strings.HasPrefix(d.ready, "depotd LIFE-1 ready at http://127.0.0.1:") {
		t.Fatalf("ready line %q", d.ready)
	}
	code, body := d.call(t, "POST", "/api/v1/events", token, `{"type":"location-defined","location":{"code":"BIN-1","kind":"stock"}}`)
	if code != 201 || !strings.Contains(body, `"seq":1`) || !strings.Contains(body, `"actor":"admin"`) {
		t.Fatalf("post: %d %s", code, body)
	}
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit code %d after SIGTERM:\n%s", code, d.stderr)
	}
	if s := d.stderr.String(); !strings.Contains(s, "stopped") || strings.Contains(s, "level=ERROR") {
		t.Errorf("stderr of a clean stop:\n%s", s)
	}

	// The token came from config, so it is shown again; the event is there.
	d = startDaemon(t, bin, env...)
	if d.token != token {
		t.Errorf("second ready line %q", d.ready)
	}
	code, body = d.call(t, "GET", "/api/v1/events/1", token, "")
	if code != 200 || !strings.Contains(body, `"code":"BIN-1"`) {
		t.Fatalf("event after restart: %d %s", code, body)
	}
	if code, body := d.call(t, "GET", "/readyz", "", ""); !strings.Contains(body, `"seq":1`) {
		t.Errorf("readyz after restart: %d %s", code, body)
	}
	if code := d.stop(t, syscall.SIGINT); code != 0 {
		t.Fatalf("exit code %d after SIGINT:\n%s", code, d.stderr)
	}
}

func TestDepotdGeneratesTheAdminTokenOnce(t *testing.T) {
	bin := buildDepotd(t)
	env := []string{"PARTSEDGE_DEPOT=GEN-1", "PARTSEDGE_DATA=" + t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0"}
	d := startDaemon(t, bin, env...)
	token := d.token
	if len(token) != 43 {
		t.Fatalf("generated token %q on %q", token, d.ready)
	}
	if code, body := d.call(t, "GET", "/api/v1/status", token, ""); code != 200 || !strings.Contains(body, `"depot":"GEN-1"`) {
		t.Fatalf("status with the generated token: %d %s", code, body)
	}
	d.stop(t, syscall.SIGTERM)

	// Not created now, so not shown.
	d = startDaemon(t, bin, env...)
	if d.token != "" {
		t.Errorf("a restart shows a token: %q", d.ready)
	}
	d.stop(t, syscall.SIGTERM)

	// A token configured after the first start is not installed or shown.
	d = startDaemon(t, bin, append(env, "PARTSEDGE_ADMIN_TOKEN=late-token-0123456789abcdef")...)
	if d.token != "" || !strings.Contains(d.stderr.String(), "only set on the first start") {
		t.Errorf("late token: ready %q, stderr:\n%s", d.ready, d.stderr)
	}
	if code, _ := d.call(t, "GET", "/api/v1/status", "late-token-0123456789abcdef", ""); code != 401 {
		t.Errorf("the late token works: %d", code)
	}
	if code, _ := d.call(t, "GET", "/api/v1/status", token, ""); code != 200 {
		t.Errorf("the first token stopped working: %d", code)
	}
	d.stop(t, syscall.SIGTERM)
}

// TestDepotdFinishesInFlightRequests: a SIGTERM under load lets every
// request that reached depotd finish; each answered POST is in the log
// after a restart, and depotd still exits 0.
func TestDepotdFinishesInFlightRequests(t *testing.T) {
	bin := buildDepotd(t)
	const token = "drain-admin-token-0123456789"
	env := []string{"PARTSEDGE_DEPOT=DRAIN-1", "PARTSEDGE_DATA=" + t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_ADMIN_TOKEN=" + token, "PARTSEDGE_LOG_LEVEL=warn"}
	d := startDaemon(t, bin, env...)
	for _, b := range []string{`{"type":"location-defined","location":{"code":"A"}}`, `{"type":"part-defined","part":{"sku":"P1"}}`} {
		if code, body := d.call(t, "POST", "/api/v1/events", token, b); code != 201 {
			t.Fatalf("%d %s", code, body)
		}
	}
	var mu sync.Mutex
	answered := map[string]bool{}
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for w := range 8 {
		wg.Go(func() {
			client := &http.Client{Timeout: 10 * time.Second}
			for i := 0; ctx.Err() == nil; i++ {
				key := fmt.Sprintf("w%d-%d", w, i)
				req, _ := http.NewRequest("POST", d.base+"/api/v1/events",
					strings.NewReader(`{"type":"receipt","ref":"PO-1","lines":[{"sku":"P1","qty":1,"to":"A"}]}`))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", key)
				resp, err := client.Do(req)
				if err != nil {
					return // refused once the listener closed
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 201 {
					t.Errorf("%s: status %d during shutdown", key, resp.StatusCode)
					return
				}
				mu.Lock()
				answered[key] = true
				mu.Unlock()
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	code := d.stop(t, syscall.SIGTERM)
	cancel()
	wg.Wait()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, d.stderr)
	}
	if len(answered) == 0 {
		t.Fatal("no request was answered before the stop")
	}
	d = startDaemon(t, bin, env...)
	defer d.stop(t, syscall.SIGTERM)
	inLog := map[string]bool{}
	for after := 0; ; {
		code, body := d.call(t, "GET", fmt.Sprintf("/api/v1/events?after=%d&limit=1000", after), token, "")
		var page struct {
			Items []struct {
				Seq            int    `json:"seq"`
				IdempotencyKey string `json:"idempotencyKey"`
			} `json:"items"`
			Next *int `json:"next"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("events: %d %s", code, body)
		}
		for _, e := range page.Items {
			inLog[e.IdempotencyKey] = true
		}
		if page.Next == nil {
			break
		}
		after = *page.Next
	}
	for key := range answered {
		if !inLog[key] {
			t.Errorf("answered %s is not in the log", key)
		}
	}
}

func TestDepotdSettings(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{name: "version", args: []string{"--version"}, code: 0, stdout: "depotd "},
		{name: "help", args: []string{"-h"}, code: 0, stderr: "PARTSEDGE_ADMIN_TOKEN"},
		{name: "no depot", env: map[string]string{"PARTSEDGE_DATA": data}, code: 2, stderr: "depot is not set: use --depot, PARTSEDGE_DEPOT"},
		{name: "no data", args: []string{"--depot", "D1"}, code: 2, stderr: "data is not set"},
		{name: "bad log level", args: []string{"--depot", "D1", "--data", data}, env: map[string]string{"PARTSEDGE_LOG_LEVEL": "loud"},
			code: 2, stderr: "log level"},
		{name: "unknown flag", args: []string{"--depo", "D1"}, code: 2, stderr: "flag provided but not defined"},
		{name: "short admin token", args: []string{"--depot", "D1", "--data", data, "--admin-token", "short"}, code: 2,
			stderr: "at least 16"},
		{name: "unknown config key", args: []string{"--config", writeConfig(t, "depot: D1\nport: 8080\n")}, code: 2,
			stderr: `unknown key "port"`},
		{name: "bad depot id", args: []string{"--depot", "D 1 ", "--data", t.TempDir()}, code: 2, stderr: "depot"},
		{name: "listen fails", args: []string{"--depot", "D1", "--data", t.TempDir(), "--listen", "192.0.2.1:1"}, code: 1,
			stderr: "listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tc.code, stdout.String(), tc.stdout,
					stderr.String(), tc.stderr)
			}
		})
	}
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "depotd.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// inProcess is depotd's run loop started in the test's own process with a
// config file, as far as its ready line: the daemon's address and admin
// token.
type inProcess struct {
	d      *daemon
	token  string
	stderr *lockedBuffer
	cancel context.CancelFunc
	done   chan int
}

func startInProcess(t *testing.T, cfg string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	p := &inProcess{stderr: &lockedBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		p.done <- run(ctx, []string{"--config", cfg}, func(string) string { return "" }, pw, p.stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("%v\n%s", err, p.stderr.String())
	}
	go io.Copy(io.Discard, pr)
	m := readyLine.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		t.Fatalf("ready line %q", line)
	}
	p.d, p.token = &daemon{base: m[2]}, m[4]
	return p
}

// stop ends the run loop through its context; it must exit 0.
func (p *inProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	if code := <-p.done; code != 0 {
		t.Fatalf("exit %d\n%s", code, p.stderr.String())
	}
}

// TestDepotdInProcess runs depotd's run loop with a config file and the demo,
// stops it through its context and checks the demo is there after a second
// start that replays it.
func TestDepotdInProcess(t *testing.T) {
	cfg := writeConfig(t, fmt.Sprintf("depot: INPROC-1\ndata: %s\nlisten: 127.0.0.1:0\nadminToken: inproc-admin-token-0123\ndemo: true\nlogLevel: warn\n", t.TempDir()))
	for round := range 2 {
		p := startInProcess(t, cfg)
		if p.token != "inproc-admin-token-0123" {
			t.Fatalf("round %d: the ready line's token is %q", round, p.token)
		}
		code, body := p.d.call(t, "GET", "/api/v1/status", p.token, "")
		if code != 200 || !strings.Contains(body, fmt.Sprintf(`"seq":%d`, len(demoCommands()))) {
			t.Fatalf("round %d: status %d %s", round, code, body)
		}
		if code, body := p.d.call(t, "GET", "/api/v1/stock?sku=CMP-R32-24K", p.token, ""); code != 200 || !strings.Contains(body, "GM24-2406-00118") {
			t.Errorf("round %d: demo stock %d %s", round, code, body)
		}
		p.stop(t)
	}
}
