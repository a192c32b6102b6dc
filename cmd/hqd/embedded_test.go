package main

import (
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
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/proctest"
	"github.com/partsedge/partsedge/replication/hq"
)

// usersFile writes an embedded broker's users file.
func usersFile(t testing.TB, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mqtt-users")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bins holds depotd and hqd, built once for the package's tests.
var bins proctest.Binaries

func TestMain(m *testing.M) {
	code := m.Run()
	bins.Remove()
	os.Exit(code)
}

var (
	hqBrokerLine    = regexp.MustCompile(`^hqd mqtt broker at (tcp://\S+)$`)
	depotReadyLine  = regexp.MustCompile(`^depotd (\S+) ready at (http://\S+)( \(admin token: (\S+)\))?$`)
	depotBrokerLine = regexp.MustCompile(`^depotd (\S+) mqtt broker at (tcp://\S+)$`)
)

// startDepotd runs a depotd process with the settings and waits for its
// ready line; it is killed when the test ends.
func startDepotd(t *testing.T, env ...string) (base, token string, p *proctest.Proc) {
	t.Helper()
	p = proctest.Start(t, proctest.Spec{Name: "depotd", Bin: bins.Path(t, "../depotd"), Env: env, Ready: depotReadyLine})
	return p.Ready[2], p.Ready[4], p
}

// startHQD runs hqd in-process with the settings and returns its base URL
// and stdout; it is stopped, and must exit 0, when the test ends.
func startHQD(t *testing.T, settings map[string]string) (string, *proctest.Lines) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, nil, env(settings), pw, io.Discard) }()
	out := proctest.WatchLines(pr)
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-exited:
			if code != 0 {
				t.Errorf("hqd exit %d", code)
			}
		case <-time.After(30 * time.Second):
			t.Error("hqd did not stop")
		}
	})
	m := out.Wait(t, readyLine)
	return m[1], out
}

// depotHead is depotd's log head as its replication state tells it once
// the publisher has looked at the log.
func depotHead(t testing.TB, base, token string) uint64 {
	t.Helper()
	var st struct {
		Head    uint64 `json:"head"`
		Enabled bool   `json:"enabled"`
	}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if code := get(t, base+"/api/v1/replication", token, &st); code == http.StatusOK && st.Enabled && st.Head > 0 {
			return st.Head
		}
	}
	t.Fatalf("depot replication %+v", st)
	return 0
}

// waitReplicated polls hqd until it holds depot's log up to head.
func waitReplicated(t testing.TB, base, depot string, head uint64) hq.Depot {
	t.Helper()
	var d hq.Depot
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		d = hq.Depot{}
		if get(t, base+"/api/v1/depots/"+depot, testToken, &d) == http.StatusOK && d.HWM.Seq == head {
			return d
		}
	}
	t.Fatalf("depot %s at HQ: %+v, want HWM %d", depot, d, head)
	return d
}

// TestEmbeddedBrokerAtHQ: hqd runs the embedded broker; a real depotd
// connects to it over tcp:// with its own user and replicates its whole
// log, event for event.
func TestEmbeddedBrokerAtHQ(t *testing.T) {
	users := usersFile(t, "# HQ and one depot\nhq:hq-password-1\nEMB-1:emb1-password\n")
	base, out := startHQD(t, map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded",
		"PARTSEDGE_MQTT_LISTEN": "127.0.0.1:0", "PARTSEDGE_MQTT_USERS": users,
		"PARTSEDGE_ADMIN_TOKEN": testToken, "PARTSEDGE_LISTEN": "127.0.0.1:0", "PARTSEDGE_LOG_LEVEL": "error"})
	broker := out.Wait(t, hqBrokerLine)[1]
	dBase, dToken, _ := startDepotd(t, "PARTSEDGE_DEPOT=EMB-1", "PARTSEDGE_DATA="+t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_DEMO=true", "PARTSEDGE_MQTT="+broker, "PARTSEDGE_MQTT_USER=EMB-1", "PARTSEDGE_MQTT_PASSWORD=emb1-password",
		"PARTSEDGE_ADMIN_TOKEN=emb-admin-token-0123456789", "PARTSEDGE_LOG_LEVEL=warn")
	if dToken != "emb-admin-token-0123456789" {
		t.Fatalf("depot token %q", dToken)
	}
	head := depotHead(t, dBase, dToken)
	d := waitReplicated(t, base, "EMB-1", head)
	if d.Counters.AppliedEvents != head {
		t.Fatalf("HQ applied %d events of %d: %+v", d.Counters.AppliedEvents, head, d)
	}
	checkSameLog(t, base, dBase, "EMB-1", dToken, head)
}

// TestEmbeddedBrokerAtDepot: a one-box site. depotd runs the embedded
// broker, publishes to it, and hqd connects to it as "hq" and replicates
// the depot's log.
func TestEmbeddedBrokerAtDepot(t *testing.T) {
	users := usersFile(t, "hq:hq-password-1\nONE-1:one1-password\n")
	dBase, dToken, out := startDepotd(t, "PARTSEDGE_DEPOT=ONE-1", "PARTSEDGE_DATA="+t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_DEMO=true", "PARTSEDGE_MQTT=embedded", "PARTSEDGE_MQTT_LISTEN=127.0.0.1:0", "PARTSEDGE_MQTT_USERS="+users,
		"PARTSEDGE_ADMIN_TOKEN=one-admin-token-0123456789", "PARTSEDGE_LOG_LEVEL=warn")
	m := out.Wait(t, depotBrokerLine)
	if m[1] != "ONE-1" {
		t.Fatalf("broker line %q", m[0])
	}
	base, _ := startHQD(t, map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": m[2],
		"PARTSEDGE_MQTT_USER": "hq", "PARTSEDGE_MQTT_PASSWORD": "hq-password-1",
		"PARTSEDGE_ADMIN_TOKEN": testToken, "PARTSEDGE_LISTEN": "127.0.0.1:0", "PARTSEDGE_LOG_LEVEL": "error"})
	head := depotHead(t, dBase, dToken)
	waitReplicated(t, base, "ONE-1", head)
	checkSameLog(t, base, dBase, "ONE-1", dToken, head)
}

// checkSameLog compares HQ's copy of a depot's events with the depot's own.
func checkSameLog(t *testing.T, hqBase, depotBase, depot, depotToken string, head uint64) {
	t.Helper()
	var atHQ struct {
		Events []json.RawMessage `json:"events"`
	}
	if code := get(t, hqBase+"/api/v1/depots/"+depot+"/events", testToken, &atHQ); code != 200 || uint64(len(atHQ.Events)) != head {
		t.Fatalf("HQ's events of %s: %d, %d events, want %d", depot, code, len(atHQ.Events), head)
	}
	for i, raw := range atHQ.Events {
		var ev struct {
			Seq  uint64 `json:"seq"`
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil || ev.Seq != uint64(i+1) || ev.Hash == "" {
			t.Fatalf("HQ's event %d: %s", i+1, raw)
		}
	}
	var last struct {
		Hash string `json:"hash"`
	}
	if code := get(t, fmt.Sprintf("%s/api/v1/events/%d", depotBase, head), depotToken, &last); code != 200 {
		t.Fatalf("depot's event %d: %d", head, code)
	}
	var hqLast struct {
		Hash string `json:"hash"`
	}
	json.Unmarshal(atHQ.Events[head-1], &hqLast)
	if last.Hash == "" || last.Hash != hqLast.Hash {
		t.Fatalf("last event's hash: depot %q, HQ %q", last.Hash, hqLast.Hash)
	}
}

// TestDepotdEmbeddedBadSettings: depotd with the embedded broker refuses
// (exit 2, naming the problem) a users file it could not work with.
func TestDepotdEmbeddedBadSettings(t *testing.T) {
	for _, tc := range []struct{ name, users, want string }{
		{"no users file", "", "mqtt-users is not set"},
		{"no line for the depot", usersFile(t, "hq:hq-password-1\n"), "no line for this depot's user BAD-1"},
		{"no line for HQ", usersFile(t, "BAD-1:bad1-password\n"), "no line for HQ's user hq"},
		{"bad line", usersFile(t, "BAD-1 bad1-password\n"), "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bins.Path(t, "../depotd"))
			cmd.Env = []string{"PARTSEDGE_DEPOT=BAD-1", "PARTSEDGE_DATA=" + t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
				"PARTSEDGE_MQTT=embedded", "PARTSEDGE_MQTT_LISTEN=127.0.0.1:0", "PARTSEDGE_MQTT_USERS=" + tc.users}
			data := cmd.Env[1][len("PARTSEDGE_DATA="):]
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), tc.want) {
				t.Fatalf("%v:\n%s\nwant exit 2 and %q", err, out, tc.want)
			}
			if ents, err := os.ReadDir(data); err != nil || len(ents) != 0 {
				t.Fatalf("a bad setting wrote %d files into the data folder (%v)", len(ents), err)
			}
		})
	}
}
