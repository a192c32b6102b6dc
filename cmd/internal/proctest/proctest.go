// Package proctest runs the real daemon binaries in tests: each package is
// built once per test process, started with only the settings the test
// gives, watched for the stdout line that says it is ready, and killed
// (kill -9) when the test ends, its stderr logged if the test failed.
//
// Only tests import it: it takes a testing.TB and fails the test itself.
package proctest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Patience bounds every wait here: generous, because CI runs every
// package's race-enabled tests at once on two cores.
const Patience = 60 * time.Second

// tailBytes is how much of a process's stderr a failure shows.
const tailBytes = 8 << 10

// Binaries builds Go packages into one temporary folder, each once per test
// process however many tests run it, so `go build` is paid once. The zero
// value is ready; a test package keeps one and calls Remove from TestMain.
type Binaries struct {
	mu    sync.Mutex
	dir   string
	built map[string]error // by the package's absolute folder
}

// Build builds those of pkgs (folders, as `go build` takes them, relative to
// the test's package) not built yet, in one `go build`, and returns the
// folder holding the binaries, each named after its package's folder.
func (b *Binaries) Build(tb testing.TB, pkgs ...string) string {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "partsedge-bin-")
		if err != nil {
			tb.Fatalf("binaries folder: %v", err)
		}
		b.dir, b.built = dir, map[string]error{}
	}
	var todo, keys []string
	for _, pkg := range pkgs {
		abs, err := filepath.Abs(pkg)
		if err != nil {
			tb.Fatalf("package %s: %v", pkg, err)
		}
		if _, done := b.built[abs]; !done && !containsString(keys, abs) {
			todo, keys = append(todo, pkg), append(keys, abs)
		}
	}
	if len(todo) > 0 {
		out, err := exec.Command("go", append([]string{"build", "-o", b.dir + string(filepath.Separator)}, todo...)...).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("go build %s: %w\n%s", strings.Join(todo, " "), err, out)
		}
		// A failed build is remembered, so every later test fails at once
		// with the compiler's message instead of building again.
		for _, k := range keys {
			b.built[k] = err
		}
	}
	var errs []error
	for _, pkg := range pkgs {
		abs, _ := filepath.Abs(pkg)
		errs = append(errs, b.built[abs])
	}
	if err := errors.Join(errs...); err != nil {
		tb.Fatal(err)
	}
	return b.dir
}

// Path builds pkg unless built and returns its binary.
func (b *Binaries) Path(tb testing.TB, pkg string) string {
	tb.Helper()
	dir := b.Build(tb, pkg)
	abs, _ := filepath.Abs(pkg)
	return filepath.Join(dir, filepath.Base(abs))
}

// Remove deletes the binaries' folder.
func (b *Binaries) Remove() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return nil
	}
	err := os.RemoveAll(b.dir)
	b.dir, b.built = "", nil
	return err
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Env is the test process's environment without its PARTSEDGE_* settings,
// then env: a daemon sees exactly the settings its test gives, whatever the
// developer's shell exports.
func Env(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARTSEDGE_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// Buffer collects a process's output while the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Tail is the last n bytes, marked as cut when there is more: a failure
// report shows the end of a long log, where the cause is.
func (l *Buffer) Tail(n int) string {
	s := l.String()
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}

// Lines keeps every line a stream has written, for tests that wait for a
// line in any order (a daemon's broker line may come before or after its
// ready line).
type Lines struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{}
	ended chan struct{}
}

// WatchLines reads r's lines until it ends.
func WatchLines(r io.Reader) *Lines {
	l := &Lines{more: make(chan struct{}, 1), ended: make(chan struct{})}
	go func() {
		defer close(l.ended)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.lines = append(l.lines, sc.Text())
			l.mu.Unlock()
			select {
			case l.more <- struct{}{}:
			default:
			}
		}
		// Drain so the writer never blocks on a line too long to scan.
		io.Copy(io.Discard, r)
	}()
	return l
}

// All is every line so far.
func (l *Lines) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Ended is closed once the stream has ended.
func (l *Lines) Ended() <-chan struct{} { return l.ended }

// find returns the submatches of the first line matching re, waiting up to
// within; the error names what was seen.
func (l *Lines) find(re *regexp.Regexp, within time.Duration) ([]string, error) {
	deadline := time.After(within)
	for {
		ended := false
		select {
		case <-l.ended:
			ended = true // the lines read so far are all there will be
		default:
		}
		l.mu.Lock()
		for _, s := range l.lines {
			if m := re.FindStringSubmatch(s); m != nil {
				l.mu.Unlock()
				return m, nil
			}
		}
		seen := strings.Join(l.lines, "\n")
		l.mu.Unlock()
		if ended {
			return nil, fmt.Errorf("the output ended with no line matching %s; it said:\n%s", re, seen)
		}
		select {
		case <-l.more:
		case <-l.ended:
		case <-deadline:
			return nil, fmt.Errorf("no line matching %s in %s; got:\n%s", re, within, seen)
		}
	}
}

// Wait returns the submatches of the first line matching re, failing the
// test when none comes within Patience or the stream ends without one.
func (l *Lines) Wait(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	m, err := l.find(re, Patience)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Spec says how to run a daemon.
type Spec struct {
	Name  string // names the process in failures
	Bin   string
	Args  []string
	Env   []string       // its settings, on top of Env's environment
	Ready *regexp.Regexp // the stdout line saying it is ready
}

// Proc is one run of a daemon.
type Proc struct {
	Name   string
	Cmd    *exec.Cmd
	Ready  []string // the ready line's submatches
	Out    *Lines   // its stdout
	Stderr *Buffer
	exited chan struct{}
}

// Start runs s.Bin and waits for its ready line. The process is killed when
// the test ends if it still runs; a failed test logs the tail of its stderr.
func Start(tb testing.TB, s Spec) *Proc {
	tb.Helper()
	cmd := exec.Command(s.Bin, s.Args...)
	cmd.Env = Env(s.Env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proc{Name: s.Name, Cmd: cmd, Stderr: &Buffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", s.Name, err)
	}
	p.Out = WatchLines(stdout)
	go func() {
		// Wait only once stdout is read to its end, as exec asks.
		<-p.Out.Ended()
		cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		p.Kill()
		if tb.Failed() {
			tb.Logf("%s (pid %d) stderr:\n%s", s.Name, cmd.Process.Pid, p.Stderr.Tail(tailBytes))
		}
	})
	m, err := p.Out.find(s.Ready, Patience)
	if err != nil {
		tb.Fatalf("%s is not ready: %v\nstderr:\n%s", s.Name, err, p.Stderr.Tail(tailBytes))
	}
	p.Ready = m
	return p
}

// Wait returns the submatches of the first stdout line matching re.
func (p *Proc) Wait(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	m, err := p.Out.find(re, Patience)
	if err != nil {
		tb.Fatalf("%s: %v\nstderr:\n%s", p.Name, err, p.Stderr.Tail(tailBytes))
	}
	return m
}

// Exited is closed once the process has exited and been reaped.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Kill is kill -9; it returns once the process is gone.
func (p *Proc) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.Cmd.Process.Kill()
	<-p.exited
}

// Stop sends sig and returns the exit code (-1 when the signal killed it),
// failing the test if the process had already gone or is still running
// after Patience.
func (p *Proc) Stop(tb testing.TB, sig os.Signal) int {
	tb.Helper()
	// A process that already exited fails here: no test stops a daemon
	// that should have been running.
	if err := p.Cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signal %s: %v\n%s", p.Name, err, p.Stderr.Tail(tailBytes))
	}
	select {
	case <-p.exited:
		return p.Cmd.ProcessState.ExitCode()
	case <-time.After(Patience):
		tb.Fatalf("%s did not stop in %s after %v:\n%s", p.Name, Patience, sig, p.Stderr.Tail(tailBytes))
	}
	return -1
}

// WaitReadyz polls base/readyz until it answers 200, failing the test when
// it does not within Patience or p exits first.
func (p *Proc) WaitReadyz(tb testing.TB, base string) {
	tb.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for deadline := time.Now().Add(Patience); ; {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s never ready (%v):\n%s", p.Name, err, p.Stderr.Tail(tailBytes))
		}
		select {
		case <-p.exited:
			tb.Fatalf("%s exited before /readyz said ready:\n%s", p.Name, p.Stderr.Tail(tailBytes))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Do sends one API request as a daemon's client does: body JSON-encoded
// unless nil, the bearer token and the idempotency key when not empty.
func Do(ctx context.Context, c *http.Client, method, url, token, key string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("encode %s %s: %w", method, url, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
