package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/proctest"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// bins holds the daemons the demo runs, built once for the package.
var bins proctest.Binaries

// buildBinaries builds hqd, depotd and devsim and returns their folder.
func buildBinaries(t *testing.T) string {
	t.Helper()
	return bins.Build(t, "../hqd", "../depotd", "../devsim")
}

func TestMain(m *testing.M) {
	code := m.Run()
	bins.Remove()
	os.Exit(code)
}

// TestBusyPort: a daemon that cannot start stops the demo with exit 1,
// the cause from its log, and nothing left running.
func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var stderr strings.Builder
	data := t.TempDir()
	code := run(context.Background(), []string{"--bin", buildBinaries(t), "--data", data, "--hq-listen", "127.0.0.1:0",
		"--mqtt-listen", "127.0.0.1:0", "--depot-listen", "127.0.0.1:0," + ln.Addr().String()}, io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "DEMO-2 exited before it was ready") || !strings.Contains(stderr.String(), "address already in use") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	// hqd and DEMO-1 had started; their stores open (Badger locks its
	// folder while a process holds it) only if they were stopped.
	h, err := hq.Open(hq.Options{Dir: filepath.Join(data, "hq"), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("hqd still holds its store: %v", err)
	}
	h.Close()
	st, err := inventory.Open(inventory.Options{Dir: filepath.Join(data, "DEMO-1", "store"), Depot: "DEMO-1", GCInterval: -1, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("DEMO-1 still holds its store: %v", err)
	}
	st.Close()
}

func testOptions(bin, data string) Options {
	return Options{Data: data, Bin: bin, HQListen: "127.0.0.1:0", MQTTListen: "127.0.0.1:0",
		DepotListen: []string{"127.0.0.1:0", "127.0.0.1:0"}, Token: "demo-test-admin-token-0123", Timeout: time.Minute}
}

// getJSON GETs url from the demo's API and decodes the answer.
func getJSON(t *testing.T, d *Demo, url string, into any) {
	t.Helper()
	status, body, err := d.call(context.Background(), "GET", url, "", "")
	if err != nil || status != 200 {
		t.Fatalf("GET %s: %d %s %v", url, status, body, err)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestDemo runs the demo in a temp folder: HQ ends up holding both depots'
// whole logs, each depot has the reorder signal its seeding sets up and
// reads its simulated devices, and everything stops cleanly. A second run
// on the same folder (through run, as `make run` starts it) carries on:
// the seeding replays and HQ holds exactly the same seqs, nothing twice.
func TestDemo(t *testing.T) {
	bin := buildBinaries(t)
	data := t.TempDir()
	o := testOptions(bin, data)
	d, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			d.Stop()
		}
		if t.Failed() {
			logs, _ := filepath.Glob(filepath.Join(data, "logs", "*.log"))
			for _, l := range logs {
				b, _ := os.ReadFile(l)
				t.Logf("%s:\n%s", filepath.Base(l), b)
			}
		}
	})
	seqs, err := d.WaitReplicated(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var depots struct {
		Depots []struct {
			Depot string `json:"depot"`
			HWM   struct {
				Seq uint64 `json:"seq"`
			} `json:"hwm"`
		} `json:"depots"`
	}
	getJSON(t, d, d.HQURL+"/api/v1/depots", &depots)
	if len(depots.Depots) != 2 {
		t.Fatalf("HQ knows %+v", depots)
	}
	for _, dep := range depots.Depots {
		if dep.HWM.Seq != seqs[dep.Depot] || dep.HWM.Seq < 40 {
			t.Fatalf("HQ holds %s up to %d, replicated %v", dep.Depot, dep.HWM.Seq, seqs)
		}
	}
	// Each depot runs short of the part the other holds in excess.
	short := map[string]string{"DEMO-1": "FLT-HEPA-H13", "DEMO-2": "CAP-RUN-35UF"}
	for _, dep := range d.Depots {
		var signals struct {
			Items []struct {
				Signal struct {
					SKU string `json:"sku"`
				} `json:"signal"`
			} `json:"items"`
		}
		getJSON(t, d, dep.URL+"/api/v1/reorder-signals?status=open", &signals)
		if len(signals.Items) != 1 || signals.Items[0].Signal.SKU != short[dep.ID] {
			t.Errorf("%s's open signals %+v, want one for %s", dep.ID, signals, short[dep.ID])
		}
		waitDevicesUp(t, d, dep)
	}
	// Each role's user signs in with its own token where it works.
	urls := map[string]string{"HQ": d.HQURL}
	for _, dep := range d.Depots {
		urls[dep.ID] = dep.URL
	}
	if len(d.People) != 5 {
		t.Fatalf("demo users %+v, want a planner at HQ and a storekeeper and an engineer at each depot", d.People)
	}
	for _, p := range d.People {
		req, err := http.NewRequest("GET", urls[p.Where]+"/api/v1/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+p.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me struct{ Name, Role string }
		err = json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || me.Role != p.Role {
			t.Errorf("%s %s: GET /api/v1/me = %d %+v (%v)", p.Where, p.Role, resp.StatusCode, me, err)
		}
	}
	planner := d.People[0]
	stopped = true
	if err := d.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	// Again, as make run does it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	exited := make(chan int, 1)
	go func() {
		exited <- run(ctx, []string{"--bin", bin, "--data", data, "--hq-listen", "127.0.0.1:0", "--mqtt-listen", "127.0.0.1:0",
			"--depot-listen", "127.0.0.1:0,127.0.0.1:0", "--token", o.Token}, pw, &stderr)
		pw.Close()
	}()
	held := regexp.MustCompile(`^HQ holds every depot's log: DEMO-1 up to seq (\d+), DEMO-2 up to seq (\d+)\.$`)
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out []string
	deadline := time.After(2 * time.Minute)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the demo ended early: %s\n%s", strings.Join(out, "\n"), stderr.String())
			}
			out = append(out, l)
			if m := held.FindStringSubmatch(l); m != nil {
				for i, id := range Depots {
					if n, _ := strconv.ParseUint(m[i+1], 10, 64); n != seqs[id] {
						t.Errorf("second run: HQ holds %s up to %d, the first run ended at %d", id, n, seqs[id])
					}
				}
				break wait
			}
		case <-deadline:
			t.Fatalf("no replication line:\n%s\n%s", strings.Join(out, "\n"), stderr.String())
		}
	}
	// The second run keeps the first run's tokens.
	for _, want := range []string{"HQ (hqd)       http://127.0.0.1:", "depot DEMO-1", "depot DEMO-2", "MQTT broker    tcp://127.0.0.1:", "Ctrl-C",
		"HQ       planner      " + planner.Token} {
		if !strings.Contains(strings.Join(out, "\n"), want) {
			t.Errorf("the summary lacks %q:\n%s", want, strings.Join(out, "\n"))
		}
	}
	cancel()
	select {
	case code := <-exited:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the demo did not stop")
	}
	for l := range lines {
		out = append(out, l)
	}
	if last := out[len(out)-1]; last != "Stopped." {
		t.Fatalf("last line %q", last)
	}
}

// waitDevicesUp polls a depot until both its simulated devices are up and
// the scanner has reported a scan.
func waitDevicesUp(t *testing.T, d *Demo, dep Depot) {
	t.Helper()
	var devs struct {
		Items []struct {
			ID    string `json:"id"`
			State string `json:"state"`
			Scans int    `json:"scans"`
		} `json:"items"`
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		getJSON(t, d, dep.URL+"/api/v1/devices", &devs)
		up, scans := 0, 0
		for _, dv := range devs.Items {
			if dv.State == "up" {
				up++
			}
			scans += dv.Scans
		}
		if up == len(dep.Devices) && up == 2 && scans > 0 {
			return
		}
	}
	t.Fatalf("%s's devices: %+v", dep.ID, devs)
}

// TestBadFlags: bad flags exit 2, missing binaries exit 1, each saying why.
func TestBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--depot-listen", "127.0.0.1:0"}, 2, "wants 2 addresses"},
		{[]string{"--token", "short"}, 2, "at least 16"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
		{[]string{"--bin", t.TempDir(), "--data", t.TempDir()}, 1, "hqd is not in"},
	} {
		t.Run(fmt.Sprint(tc.args), func(t *testing.T) {
			var stderr strings.Builder
			if code := run(context.Background(), tc.args, io.Discard, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d %q, want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}
