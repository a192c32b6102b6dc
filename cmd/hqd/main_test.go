package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
	"github.com/partsedge/partsedge/replication/hq"
)

const testToken = "hq-test-admin-token-0123456789"

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startBroker starts an embedded broker and returns its URL.
func startBroker(t testing.TB) string { return brokertest.StartEmbedded(t, nil).URL() }

// depotLog is a real depot store's raw log of n events.
func depotLog(t testing.TB, id string, n int) [][]byte {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: id, GCInterval: -1, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	cmds := []inventory.Command{
		{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}},
		{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}},
	}
	for i := 0; i < n; i++ {
		cmd := inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}}
		if i < len(cmds) {
			cmd = cmds[i]
		}
		if _, err := st.Append(ctx, cmd); err != nil {
			t.Fatal(err)
		}
	}
	var out [][]byte
	if err := st.EachRawEvent(0, func(_ uint64, raw []byte) error { out = append(out, raw); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func batchOf(depot string, from uint64, raws [][]byte) []byte {
	b := replication.Batch{V: replication.Version, Depot: depot, Epoch: 1, From: from, To: from + uint64(len(raws)) - 1}
	for _, r := range raws {
		b.Events = append(b.Events, r)
	}
	out, _ := json.Marshal(b)
	return out
}

func mqttClient(t testing.TB, broker, id string) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(broker).SetClientID(id))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func publish(t testing.TB, c mqtt.Client, topic string, payload []byte) {
	t.Helper()
	if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}

// get GETs url and decodes a 200 answer into into.
func get(t testing.TB, url, token string, into any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

// waitDepot polls /api/v1/depots/{id} until its HWM reaches seq.
func waitDepot(t testing.TB, base, id string, seq uint64) hq.Depot {
	t.Helper()
	var d hq.Depot
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		d = hq.Depot{}
		if get(t, base+"/api/v1/depots/"+id, testToken, &d) == 200 && d.HWM.Seq >= seq {
			return d
		}
	}
	t.Fatalf("depot %s: %+v, want HWM %d", id, d, seq)
	return d
}

var readyLine = regexp.MustCompile(`^hqd ready at (http://\S+)$`)

// readReady reads stdout until the ready line and returns the base URL.
func readReady(t testing.TB, r io.Reader) string {
	t.Helper()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				lines <- m[1]
			}
		}
	}()
	select {
	case base := <-lines:
		return base
	case <-time.After(20 * time.Second):
		t.Fatal("no ready line")
		return ""
	}
}

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// TestBadSettings: each missing or bad setting exits 2 naming it.
func TestBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no data", map[string]string{"PARTSEDGE_MQTT": "tcp://127.0.0.1:1", "PARTSEDGE_ADMIN_TOKEN": testToken}, "data is not set"},
		{"no broker", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_ADMIN_TOKEN": testToken}, "mqtt is not set"},
		{"no token", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "tcp://127.0.0.1:1"}, "admin-token is not set"},
		{"short token", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "tcp://127.0.0.1:1", "PARTSEDGE_ADMIN_TOKEN": "short"}, "at least 16"},
		{"embedded broker without users", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded", "PARTSEDGE_ADMIN_TOKEN": testToken}, "mqtt-users is not set"},
		{"embedded broker without HQ's user", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded", "PARTSEDGE_ADMIN_TOKEN": testToken,
			"PARTSEDGE_MQTT_USERS": usersFile(t, "D1:d1-password\n")}, `no line for HQ's user "hq"`},
		{"embedded broker, bad users file", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded", "PARTSEDGE_ADMIN_TOKEN": testToken,
			"PARTSEDGE_MQTT_USERS": usersFile(t, "hq hq-password\n")}, "line 1"},
		{"embedded broker, missing users file", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded", "PARTSEDGE_ADMIN_TOKEN": testToken,
			"PARTSEDGE_MQTT_USERS": t.TempDir() + "/none"}, "no such file"},
		{"another scheme", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "mqtt://x:1883", "PARTSEDGE_ADMIN_TOKEN": testToken}, "tcp:// or ssl://"},
		{"bad listen", map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "tcp://127.0.0.1:1", "PARTSEDGE_ADMIN_TOKEN": testToken, "PARTSEDGE_LISTEN": "nowhere"}, "listen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			if code := run(context.Background(), nil, env(tc.env), io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q, want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestServe: hqd in-process ingests a depot's batches through the broker
// and serves them: depots, one depot, its raw events after a seq, health,
// readiness, metrics, the bearer check; it stops cleanly on cancel.
func TestServe(t *testing.T) {
	broker := startBroker(t)
	log := depotLog(t, "D1", 6)
	// The depot's retained status is on the broker before hqd starts.
	pub := mqttClient(t, broker, "depot-D1")
	status, _ := json.Marshal(replication.Status{V: 1, Depot: "D1", State: replication.StateOnline, Version: "v9", Epoch: 1, LastSeq: 10})
	if tok := pub.Publish(replication.Topic("D1", replication.KindStatus), 1, true, status); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, nil, env(map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": broker,
			"PARTSEDGE_ADMIN_TOKEN": testToken, "PARTSEDGE_LISTEN": "127.0.0.1:0", "PARTSEDGE_LOG_LEVEL": "error"}), pw, io.Discard)
	}()
	base := readReady(t, pr)
	for deadline := time.Now().Add(10 * time.Second); get(t, base+"/readyz", "", nil) != 200; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
	}
	publish(t, pub, replication.Topic("D1", replication.KindEvents), batchOf("D1", 1, log[:4]))
	publish(t, pub, replication.Topic("D1", replication.KindEvents), batchOf("D1", 5, log[4:]))
	d := waitDepot(t, base, "D1", 6)
	if d.Counters.AppliedEvents != 6 || d.Counters.AppliedBatches != 2 || d.HWM.Epoch != 1 ||
		d.Status == nil || d.Status.State != "online" || d.Status.Version != "v9" || d.Lag != 4 {
		t.Fatalf("depot %+v", d)
	}
	var list struct{ Depots []hq.Depot }
	if code := get(t, base+"/api/v1/depots", testToken, &list); code != 200 || len(list.Depots) != 1 || list.Depots[0].Depot != "D1" {
		t.Fatalf("depots %d %+v", code, list)
	}
	var evs struct {
		Events []json.RawMessage `json:"events"`
	}
	if code := get(t, base+"/api/v1/depots/D1/events?after=2", testToken, &evs); code != 200 || len(evs.Events) != 4 || string(evs.Events[0]) != string(log[2]) {
		t.Fatalf("events after 2: %d %s", code, evs.Events)
	}
	for _, tc := range []struct {
		url, token string
		want       int
	}{
		{"/api/v1/depots", "", 401},
		{"/api/v1/depots", "wrong-token-wrong-token", 401},
		{"/api/v1/depots/D9", testToken, 404},
		{"/api/v1/depots/D9/events", testToken, 404},
		{"/api/v1/depots/D1/events?after=x", testToken, 400},
		{"/api/v1/depots/D1/events?limit=0", testToken, 400},
		{"/healthz", "", 200},
	} {
		if code := get(t, base+tc.url, tc.token, nil); code != tc.want {
			t.Errorf("GET %s: %d, want %d", tc.url, code, tc.want)
		}
	}
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `partsedge_hq_applied_events_total{depot="D1"} 6`) {
		t.Fatalf("metrics:\n%s", body)
	}
	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hqd did not stop")
	}
}

// TestKill9KeepsAppliedEvents: a real hqd process is killed with SIGKILL
// while depots' batches stream in; restarted on the same store it holds,
// per depot, exactly a prefix of the depot's log up to its HWM (nothing
// torn, nothing past a gap), and the depot's resends from there complete it.
func TestKill9KeepsAppliedEvents(t *testing.T) {
	bin := t.TempDir() + "/hqd"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	broker := startBroker(t)
	data := t.TempDir()
	const n = 400
	logs := map[string][][]byte{"D1": depotLog(t, "D1", n), "D2": depotLog(t, "D2", n)}
	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "PARTSEDGE_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "PARTSEDGE_DATA="+data, "PARTSEDGE_MQTT="+broker,
			"PARTSEDGE_ADMIN_TOKEN="+testToken, "PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_LOG_LEVEL=error")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd, readReady(t, out)
	}
	cmd, base := start()
	for deadline := time.Now().Add(10 * time.Second); get(t, base+"/readyz", "", nil) != 200; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
	}
	pub := mqttClient(t, broker, "depots")
	// Stream batches of 10 from both depots, and kill hqd once it has
	// applied some of them.
	go func() {
		for from := 1; from <= n; from += 10 {
			for id, raws := range logs {
				pub.Publish(replication.Topic(id, replication.KindEvents), 1, false, batchOf(id, uint64(from), raws[from-1:from+9]))
			}
		}
	}()
	waitDepot(t, base, "D1", 50)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	_, base = start()
	for id, raws := range logs {
		// The restarted HQ takes the batches the broker kept for its
		// session at once, so the store moves between reads: the events
		// read must lie between the HWM read before and the one after.
		var d, after hq.Depot
		get(t, base+"/api/v1/depots/"+id, testToken, &d)
		var evs struct {
			Events []json.RawMessage `json:"events"`
		}
		get(t, fmt.Sprintf("%s/api/v1/depots/%s/events?after=0", base, id), testToken, &evs)
		get(t, base+"/api/v1/depots/"+id, testToken, &after)
		t.Logf("%s after kill -9: HWM %d..%d of %d", id, d.HWM.Seq, after.HWM.Seq, n)
		if held := uint64(len(evs.Events)); held < d.HWM.Seq || held > after.HWM.Seq {
			t.Fatalf("%s: HWM %d then %d, but %d events held", id, d.HWM.Seq, after.HWM.Seq, held)
		}
		for i, e := range evs.Events {
			if string(e) != string(raws[i]) {
				t.Fatalf("%s: event %d differs from the depot's", id, i+1)
			}
		}
		// The depot resends from HQ's HWM (its last ack) to the end.
		for from := int(d.HWM.Seq) + 1; from <= n; from += 10 {
			to := min(from+9, n)
			publish(t, pub, replication.Topic(id, replication.KindEvents), batchOf(id, uint64(from), raws[from-1:to]))
		}
	}
	for id, raws := range logs {
		waitDepot(t, base, id, n)
		var evs struct {
			Events []json.RawMessage `json:"events"`
		}
		get(t, fmt.Sprintf("%s/api/v1/depots/%s/events", base, id), testToken, &evs)
		if len(evs.Events) != n || string(evs.Events[n-1]) != string(raws[n-1]) {
			t.Fatalf("%s after the resend: %d events", id, len(evs.Events))
		}
	}
}
