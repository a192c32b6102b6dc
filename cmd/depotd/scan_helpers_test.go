package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/station"
)

// must calls the API and fails the test unless it answers want.
func (d *daemon) must(t testing.TB, method, path, token, body string, want int) string {
	t.Helper()
	code, out := d.call(t, method, path, token, body)
	if code != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, code, out, want)
	}
	return out
}

// headSeq is the seq of the last event in the daemon's log.
func headSeq(t testing.TB, d *daemon) uint64 {
	t.Helper()
	code, body := d.call(t, "GET", "/api/v1/status", e2eToken, "")
	var st struct{ Seq uint64 }
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil || st.Seq == 0 {
		t.Fatalf("status: %d %s", code, body)
	}
	return st.Seq
}

// startScannerDepot runs a generic serial scanner devsim plays on a
// pseudo-terminal (paused: it sends only what the test scans) and a depotd
// named depot with that scanner, device id, bound to station, and waits for
// the scanner to be up. extra adds PARTSEDGE_* settings.
func startScannerDepot(t *testing.T, bin, depot, device, stationID string, extra ...string) (*daemon, *devsimProc) {
	t.Helper()
	sim := startDevsim(t, "generic-serial-scanner", "--paused")
	env := append([]string{"PARTSEDGE_DEPOT=" + depot, "PARTSEDGE_DATA=" + t.TempDir(),
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN=" + e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=" + device + ",profile=generic-serial-scanner,port=" + sim.link + ",station=" + stationID}, extra...)
	d := startDaemon(t, bin, env...)
	return d, sim
}

// waitUp waits until the device is up at the daemon.
func (d *daemon) waitUp(t testing.TB, device string) {
	t.Helper()
	d.waitDevices(t, e2eToken, device, func(m map[string]manager.Status) bool { return m[device].State == manager.Up })
}

// stationOutcomes follows a station's SSE stream (what its screen shows)
// until ctx ends and returns a function that waits for its next outcome.
// Each check, if any, is run on every outcome read, with its raw JSON.
func stationOutcomes(t *testing.T, ctx context.Context, d *daemon, id string, checks ...func(raw string, o station.Outcome)) func() station.Outcome {
	t.Helper()
	rq, _ := http.NewRequestWithContext(ctx, "GET", d.base+"/api/v1/stations/"+id+"/events", nil)
	rq.Header.Set("Authorization", "Bearer "+e2eToken)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	stream := bufio.NewReader(resp.Body)
	return func() station.Outcome {
		t.Helper()
		for {
			line, err := stream.ReadString('\n')
			if err != nil {
				t.Fatalf("event stream of %s: %v", id, err)
			}
			if v, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "data: "); ok {
				var o station.Outcome
				if err := json.Unmarshal([]byte(v), &o); err != nil {
					t.Fatal(err)
				}
				for _, check := range checks {
					check(v, o)
				}
				return o
			}
		}
	}
}

// followStation follows a station's stream for up to a minute.
func followStation(t *testing.T, d *daemon, id string) func() station.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return stationOutcomes(t, ctx, d, id)
}

// scanStep is one scan and the outcome it must have: good or the rejection
// code, and (when msg is set) words the message contains.
type scanStep struct {
	scan string
	good bool
	code string
	msg  string
}

// scanAll scans each step on sim and checks the station's outcome (its
// device and document included) and that a good scan wrote exactly one
// event and a rejected one none.
func scanAll(t *testing.T, d *daemon, sim *devsimProc, next func() station.Outcome, device, ref string, steps []scanStep) {
	t.Helper()
	for _, s := range steps {
		before := headSeq(t, d)
		sim.send("scan "+s.scan, "queued")
		o := next()
		if o.Good != s.good || o.Code != s.code || o.Device != device || o.Ref != ref || !strings.Contains(o.Message, s.msg) {
			t.Fatalf("scan %s: outcome %+v", s.scan, o)
		}
		if after := headSeq(t, d); s.good != (after == before+1) || (!s.good && after != before) {
			t.Fatalf("scan %s: head %d -> %d", s.scan, before, after)
		}
		t.Logf("%s %-36s %v %s %s", device, s.scan, o.Good, o.Code, o.Message)
	}
}
