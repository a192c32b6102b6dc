// Package brokertest runs a real Mosquitto 2.x for tests: its own config in
// t.TempDir(), a free loopback port, per-depot passwords, the ACL that ships
// in replication/mosquitto, and TLS on request. Only tests import it.
//
// Usernames are depot ids (the ACL's pattern lines use %u) plus HQ's
// mosquitto.HQUser. Passwords are generated unless Options.Passwords gives
// them; Broker.Password returns them.
package brokertest

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// Options shape the broker.
type Options struct {
	// Depots get one user each, named by the depot id.
	Depots []string
	// Passwords sets passwords by username (HQ's is mosquitto.HQUser);
	// users not named here get a random one.
	Passwords map[string]string
	// TLS adds a TLS listener with a certificate for 127.0.0.1 signed by a
	// CA generated for this broker (Broker.CAPool, Broker.TLSConfig).
	TLS bool
	// MaxQueuedMessages caps each offline or slow session's queue; past it
	// Mosquitto drops messages silently. 0 keeps Mosquitto's default (1000).
	MaxQueuedMessages int
	// MaxInflightMessages caps QoS 1 messages in flight per client; 0 keeps
	// Mosquitto's default (20).
	MaxInflightMessages int
	// Persistence keeps sessions and retained messages in a snapshot that
	// Restart keeps; without it a restart forgets them.
	Persistence bool
	// AutosaveInterval is how often the snapshot is written while running
	// (it is always written at a clean stop). 0 keeps Mosquitto's 1800 s, so
	// Kill loses everything since the start; it is rounded to seconds.
	AutosaveInterval time.Duration
	// ShippedConfig runs replication/mosquitto/mosquitto.conf itself, with
	// only its ports, paths and log destination pointed at this test (it
	// implies TLS; the queue and persistence options above are then the
	// shipped file's), to prove the config operators get actually works.
	ShippedConfig bool
}

// Broker is one Mosquitto process (and its restarts) with fixed ports and
// config.
type Broker struct {
	t         testing.TB
	dir       string
	mosquitto string
	port      int
	tlsPort   int
	passwords map[string]string
	ca        *x509.CertPool

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start runs Mosquitto and waits until its ports accept connections. The
// broker is stopped when the test ends; its log is printed if the test
// failed. It fails the test if mosquitto is not installed
// (.ci/install-deps installs it).
func Start(t testing.TB, opts Options) *Broker {
	t.Helper()
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		bin = "/usr/sbin/mosquitto" // Debian installs it outside a user's PATH
		if _, statErr := os.Stat(bin); statErr != nil {
			t.Fatalf("brokertest: mosquitto is not installed (run .ci/install-deps): %v", err)
		}
	}
	b := &Broker{t: t, dir: t.TempDir(), mosquitto: bin, passwords: map[string]string{}}
	if err := b.writeSecurity(opts); err != nil {
		t.Fatalf("brokertest: %v", err)
	}
	if opts.ShippedConfig {
		opts.TLS = true
	}
	if opts.TLS {
		if err := b.writeCerts(); err != nil {
			t.Fatalf("brokertest: %v", err)
		}
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("mosquitto log (%s):\n%s", b.LogPath(), b.logTail())
		}
	})
	// A free port is found by binding :0 and closing it, so another process
	// may take it before Mosquitto binds; a few fresh tries make that moot.
	for attempt := 0; ; attempt++ {
		if err := b.pickPorts(opts.TLS); err != nil {
			t.Fatalf("brokertest: %v", err)
		}
		if err := b.writeConfig(opts); err != nil {
			t.Fatalf("brokertest: %v", err)
		}
		err := b.start()
		if err == nil {
			return b
		}
		if attempt == 2 {
			t.Fatalf("brokertest: %v", err) // the cleanup prints the log
		}
	}
}

// URL is the plain listener, for paho: tcp://127.0.0.1:port.
func (b *Broker) URL() string { return "tcp://127.0.0.1:" + strconv.Itoa(b.port) }

// TLSURL is the TLS listener, ssl://127.0.0.1:port; empty without
// Options.TLS.
func (b *Broker) TLSURL() string {
	if b.tlsPort == 0 {
		return ""
	}
	return "ssl://127.0.0.1:" + strconv.Itoa(b.tlsPort)
}

// CAPool trusts the CA that signed the TLS listener's certificate.
func (b *Broker) CAPool() *x509.CertPool { return b.ca }

// TLSConfig is a client config that verifies the TLS listener.
func (b *Broker) TLSConfig() *tls.Config {
	return &tls.Config{RootCAs: b.ca, MinVersion: tls.VersionTLS12}
}

// Password is user's password ("" for a user the broker does not know).
func (b *Broker) Password(user string) string { return b.passwords[user] }

// Dir is the broker's folder: config, password file, ACL, certificates,
// snapshot and log.
func (b *Broker) Dir() string { return b.dir }

// LogPath is the broker's log file; it grows across restarts.
func (b *Broker) LogPath() string { return filepath.Join(b.dir, "mosquitto.log") }

// Log is the broker's log so far.
func (b *Broker) Log() string {
	data, err := os.ReadFile(b.LogPath())
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(data)
}

// logTail is the end of the log, what a failed test prints: a broker that
// ran a long test logs more than anyone reads.
func (b *Broker) logTail() string {
	const keep = 64 << 10
	l := b.Log()
	if len(l) <= keep {
		return l
	}
	cut := l[len(l)-keep:]
	if i := strings.IndexByte(cut, '\n'); i >= 0 {
		cut = cut[i+1:]
	}
	return fmt.Sprintf("(%d earlier bytes in %s)\n%s", len(l)-len(cut), b.LogPath(), cut)
}

// Restart stops the broker cleanly if it runs (Mosquitto writes its
// snapshot then) and starts it again on the same ports with the same config.
// After Kill it is the crash recovery: the snapshot is the last autosave.
// It may be called from any goroutine (a test restarting the broker while
// traffic flows): a failure is reported with t.Errorf, never FailNow, and
// returned so the caller can stop. Calls must not overlap.
func (b *Broker) Restart() error {
	b.Stop()
	if err := b.start(); err != nil {
		b.t.Errorf("brokertest: restart: %v", err)
		return err
	}
	return nil
}

// Kill ends the broker with SIGKILL: no snapshot, no goodbye to clients.
func (b *Broker) Kill() { b.signal(syscall.SIGKILL) }

// Stop ends the broker with SIGTERM, which lets it write its snapshot.
func (b *Broker) Stop() { b.signal(syscall.SIGTERM) }

func (b *Broker) signal(sig syscall.Signal) {
	b.mu.Lock()
	cmd, done := b.cmd, b.done
	b.cmd, b.done = nil, nil
	b.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		// A broker that ignores SIGTERM this long is stuck; the test must
		// still end.
		_ = cmd.Process.Kill()
		<-done
	}
}

func (b *Broker) start() error {
	logf, err := os.OpenFile(b.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	cmd := exec.Command(b.mosquitto, "-c", filepath.Join(b.dir, "mosquitto.conf"))
	cmd.Dir = b.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", b.mosquitto, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	ports := []int{b.port}
	if b.tlsPort != 0 {
		ports = append(ports, b.tlsPort)
	}
	if err := waitListening(ports, done); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return err
	}
	b.mu.Lock()
	b.cmd, b.done = cmd, done
	b.mu.Unlock()
	return nil
}

// waitListening polls until every port accepts a connection, the process
// exits, or a generous limit passes (only a broken install takes that long).
func waitListening(ports []int, exited <-chan struct{}) error {
	deadline := time.Now().Add(20 * time.Second)
	for _, port := range ports {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case <-exited:
				return fmt.Errorf("mosquitto exited before listening on %s", addr)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("mosquitto is not listening on %s: %w", addr, err)
			}
		}
	}
	return nil
}

func (b *Broker) pickPorts(withTLS bool) error {
	var err error
	if b.port, err = freePort(); err != nil {
		return err
	}
	b.tlsPort = 0
	if withTLS {
		if b.tlsPort, err = freePort(); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (b *Broker) writeSecurity(opts Options) error {
	users, err := usernames(opts.Depots)
	if err != nil {
		return err
	}
	var pw bytes.Buffer
	for _, u := range users {
		p, ok := opts.Passwords[u]
		if !ok {
			p = randomPassword()
		}
		b.passwords[u] = p
		line, err := PasswordLine(u, p)
		if err != nil {
			return err
		}
		pw.WriteString(line + "\n")
	}
	if err := os.WriteFile(filepath.Join(b.dir, "passwd"), pw.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write password file: %w", err)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "acl"), []byte(mosquitto.ACL()), 0o600); err != nil {
		return fmt.Errorf("write acl: %w", err)
	}
	return nil
}

// usernames is HQ's user followed by one per depot.
func usernames(depots []string) ([]string, error) {
	users := []string{mosquitto.HQUser}
	seen := map[string]bool{mosquitto.HQUser: true}
	for _, d := range depots {
		if err := replication.ValidDepot(d); err != nil {
			return nil, fmt.Errorf("depot user: %w", err)
		}
		if seen[d] {
			// A depot named like HQ would get HQ's rights; one named twice is
			// a test's mistake.
			return nil, fmt.Errorf("depot %q is named twice or like HQ", d)
		}
		seen[d] = true
		users = append(users, d)
	}
	return users, nil
}

func randomPassword() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(buf)
}

// PasswordLine is user's line in a Mosquitto 2.x password file in its
// default $7$ format (PBKDF2-SHA512, 101 iterations, 12-byte salt, what
// mosquitto_passwd writes), so tests with hundreds of depots need no
// mosquitto_passwd run per depot.
func PasswordLine(user, password string) (string, error) {
	if user == "" || strings.ContainsAny(user, ":\n") {
		return "", fmt.Errorf("username %q cannot go in a password file", user)
	}
	const iterations = 101
	salt := make([]byte, 12)
	_, _ = rand.Read(salt)
	hash, err := pbkdf2.Key(sha512.New, password, salt, iterations, sha512.Size)
	if err != nil {
		return "", fmt.Errorf("hash password of %s: %w", user, err)
	}
	return fmt.Sprintf("%s:$7$%d$%s$%s", user, iterations,
		base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(hash)), nil
}

func (b *Broker) writeConfig(opts Options) error {
	var text string
	if opts.ShippedConfig {
		var err error
		if text, err = b.shippedConfig(); err != nil {
			return err
		}
	} else {
		text = b.generatedConfig(opts)
	}
	if err := os.WriteFile(filepath.Join(b.dir, "mosquitto.conf"), []byte(text), 0o600); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// runAsLine keeps Mosquitto, when started as root, from dropping to user
// "mosquitto", which cannot read this test's 0700 temp folder.
func runAsLine() string {
	if u, err := user.Current(); err == nil && os.Getuid() == 0 {
		return "user " + u.Username + "\n"
	}
	return ""
}

// shippedConfig is the shipped mosquitto.conf with every line that names a
// port, a file or the log destination pointed at this broker. A line of
// that kind it does not know fails, so the file cannot change shape without
// this harness (and the test that runs it) noticing.
func (b *Broker) shippedConfig() (string, error) {
	replace := map[string]string{
		"listener 1883 127.0.0.1":                       fmt.Sprintf("listener %d 127.0.0.1", b.port),
		"listener 8883":                                 fmt.Sprintf("listener %d 127.0.0.1", b.tlsPort),
		"password_file /etc/mosquitto/partsedge.passwd": "password_file " + filepath.Join(b.dir, "passwd"),
		"acl_file /etc/mosquitto/partsedge.acl":         "acl_file " + filepath.Join(b.dir, "acl"),
		"cafile /etc/mosquitto/certs/ca.crt":            "cafile " + filepath.Join(b.dir, "ca.crt"),
		"certfile /etc/mosquitto/certs/server.crt":      "certfile " + filepath.Join(b.dir, "server.crt"),
		"keyfile /etc/mosquitto/certs/server.key":       "keyfile " + filepath.Join(b.dir, "server.key"),
		"persistence_location /var/lib/mosquitto/":      "persistence_location " + b.dir + "/",
		"log_dest syslog":                               "log_dest stderr",
	}
	keys := []string{"listener", "password_file", "acl_file", "cafile", "certfile", "keyfile", "persistence_location", "log_dest", "include_dir", "user", "pid_file"}
	var c strings.Builder
	c.WriteString("# replication/mosquitto/mosquitto.conf, pointed at a test by replication/brokertest\n")
	c.WriteString(runAsLine())
	used := 0
	for _, line := range strings.Split(mosquitto.Config(), "\n") {
		trimmed := strings.TrimSpace(line)
		if to, ok := replace[trimmed]; ok {
			used++
			line = to
		} else if key, _, _ := strings.Cut(trimmed, " "); slices.Contains(keys, key) {
			return "", fmt.Errorf("shipped mosquitto.conf: no test equivalent for %q", trimmed)
		}
		c.WriteString(line + "\n")
	}
	if used != len(replace) {
		return "", fmt.Errorf("shipped mosquitto.conf: %d of the %d expected lines found", used, len(replace))
	}
	return c.String(), nil
}

func (b *Broker) generatedConfig(opts Options) string {
	var c strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&c, format+"\n", a...) }
	w("# written by replication/brokertest")
	c.WriteString(runAsLine())
	w("per_listener_settings false")
	w("allow_anonymous false")
	w("password_file %s", filepath.Join(b.dir, "passwd"))
	w("acl_file %s", filepath.Join(b.dir, "acl"))
	w("log_dest stderr")
	for _, lt := range []string{"error", "warning", "notice", "information", "subscribe", "unsubscribe"} {
		w("log_type %s", lt)
	}
	w("log_timestamp_format %%Y-%%m-%%dT%%H:%%M:%%S")
	w("connection_messages true")
	if opts.MaxQueuedMessages > 0 {
		w("max_queued_messages %d", opts.MaxQueuedMessages)
	}
	if opts.MaxInflightMessages > 0 {
		w("max_inflight_messages %d", opts.MaxInflightMessages)
	}
	if opts.Persistence {
		w("persistence true")
		w("persistence_location %s/", b.dir)
		if opts.AutosaveInterval > 0 {
			w("autosave_interval %d", max(1, int(opts.AutosaveInterval.Round(time.Second)/time.Second)))
		}
	} else {
		w("persistence false")
	}
	w("listener %d 127.0.0.1", b.port)
	if b.tlsPort != 0 {
		w("listener %d 127.0.0.1", b.tlsPort)
		w("cafile %s", filepath.Join(b.dir, "ca.crt"))
		w("certfile %s", filepath.Join(b.dir, "server.crt"))
		w("keyfile %s", filepath.Join(b.dir, "server.key"))
		w("tls_version tlsv1.2")
	}
	return c.String()
}
