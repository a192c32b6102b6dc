package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/manager"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func buildDevsim(t testing.TB) string {
	t.Helper()
	return bins.Path(t, "../devsim")
}

// devsimProc is one simulated device: a devsim process on a pty.
type devsimProc struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	link   string
	record string
	stderr *lockedBuffer
}

func startDevsim(t testing.TB, profile string, args ...string) *devsimProc {
	t.Helper()
	dir := t.TempDir()
	d := &devsimProc{t: t, link: filepath.Join(dir, "tty"), record: filepath.Join(dir, "record.jsonl"),
		lines: make(chan string, 64), stderr: &lockedBuffer{}}
	d.cmd = exec.Command(buildDevsim(t), append([]string{"--profile", profile, "--link", d.link, "--record", d.record}, args...)...)
	d.cmd.Stderr = d.stderr
	var err error
	if d.stdin, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
	}()
	t.Cleanup(func() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		d.cmd.Wait()
	})
	d.expect("ready at")
	return d
}

func (d *devsimProc) expect(prefix string) string {
	d.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-d.lines:
			if !ok {
				d.t.Fatalf("devsim exited waiting for %q:\n%s", prefix, d.stderr)
			}
			if strings.Contains(l, prefix) {
				return l
			}
		case <-timeout:
			d.t.Fatalf("devsim: no %q in 30 s:\n%s", prefix, d.stderr)
		}
	}
}

func (d *devsimProc) send(cmd, want string) {
	d.t.Helper()
	if _, err := fmt.Fprintln(d.stdin, cmd); err != nil {
		d.t.Fatal(err)
	}
	d.expect(want)
}

// simRecord is devsim's record line (cmd/devsim/internal/sim.Record), read
// as JSON, as any test tool would.
type simRecord struct {
	Kind string   `json:"kind"`
	Good bool     `json:"good"`
	Scan *simScan `json:"scan"`
	Note string   `json:"note"`
}

type simScan struct {
	Data  string `json:"data"`
	AIMID string `json:"aimId"`
}

func (d *devsimProc) records() []simRecord {
	d.t.Helper()
	b, err := os.ReadFile(d.record)
	if err != nil {
		d.t.Fatal(err)
	}
	var out []simRecord
	dec := json.NewDecoder(strings.NewReader(string(b)))
	for dec.More() {
		var r simRecord
		if err := dec.Decode(&r); err != nil {
			d.t.Fatalf("record: %v", err)
		}
		out = append(out, r)
	}
	return out
}

func (d *daemon) devices(t testing.TB, token string) map[string]manager.Status {
	t.Helper()
	code, body := d.call(t, "GET", "/api/v1/devices", token, "")
	if code != 200 {
		t.Fatalf("devices: %d %s", code, body)
	}
	var list struct{ Items []manager.Status }
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	out := map[string]manager.Status{}
	for _, s := range list.Items {
		out[s.ID] = s
	}
	return out
}

func (d *daemon) waitDevices(t testing.TB, token, what string, cond func(map[string]manager.Status) bool) map[string]manager.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		devs := d.devices(t, token)
		if cond(devs) {
			return devs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %+v\n%s", what, devs, d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *daemon) scans(t testing.TB, token, device string) []manager.ScanRecord {
	t.Helper()
	code, body := d.call(t, "GET", "/api/v1/scans?limit=1000&device="+device, token, "")
	if code != 200 {
		t.Fatalf("scans: %d %s", code, body)
	}
	var page struct{ Items []manager.ScanRecord }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func (d *daemon) tagEvents(t testing.TB, token, device string) []manager.TagRecord {
	t.Helper()
	code, body := d.call(t, "GET", "/api/v1/tag-events?limit=1000&device="+device, token, "")
	if code != 200 {
		t.Fatalf("tag events: %d %s", code, body)
	}
	var page struct{ Items []manager.TagRecord }
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// waitAll waits until every one of devs is in state.
func (d *daemon) waitAll(t testing.TB, what string, devs []*e2eDevice, state manager.State) map[string]manager.Status {
	t.Helper()
	return d.waitDevices(t, e2eToken, what, func(m map[string]manager.Status) bool {
		for _, dv := range devs {
			if m[dv.id].State != state {
				return false
			}
		}
		return true
	})
}

type e2eDevice struct {
	id, profile string
	reader      bool
	sim         *devsimProc
}

// antennas are the antennas a reader's profile reads.
func (d *e2eDevice) antennas(t testing.TB) []int {
	t.Helper()
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get(d.profile)
	if !ok {
		t.Fatalf("no profile %s", d.profile)
	}
	if p.Reader == nil || len(p.Reader.Antennas) == 0 {
		return []int{1}
	}
	return p.Reader.Antennas
}

const e2eToken = "devices-e2e-admin-token-0123"

// startDepotWith starts depotd with the devices, all on their devsim links.
func startDepotWith(t *testing.T, devs []*e2eDevice) *daemon {
	var specs []string
	for _, d := range devs {
		spec := fmt.Sprintf("id=%s,profile=%s,port=%s,station=st-%s", d.id, d.profile, d.sim.link, d.id)
		if d.reader {
			spec += ",zone.1=dock"
			if slices.Contains(d.antennas(t), 2) {
				spec += ",zone.2=aisle"
			}
		}
		specs = append(specs, spec)
	}
	return startDaemon(t, buildDepotd(t), "PARTSEDGE_DEPOT=DEV-1", "PARTSEDGE_DATA="+t.TempDir(),
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN="+e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES="+strings.Join(specs, ";"))
}

var serialScanners = []string{"generic-serial-scanner", "honeywell-serial-scanner", "zebra-ssi-scanner"}
var serialReaders = []string{"chafon-cf-ru5102", "r2000-reader", "thingmagic-m6e"}

// TestDevicesEndToEnd: every serial profile, played by devsim on a real
// pseudo-terminal, read by depotd's device manager through go.bug.st/serial.
// Each scanner's scans and each reader's tags come out as devsim sent
// them; then every device is unplugged and plugged in again and comes
// back by itself.
func TestDevicesEndToEnd(t *testing.T) {
	scriptPath, err := filepath.Abs("testdata/scans.txt")
	if err != nil {
		t.Fatal(err)
	}
	tagsPath, _ := filepath.Abs("testdata/tags.txt")
	var devs []*e2eDevice
	for i, p := range serialScanners {
		devs = append(devs, &e2eDevice{id: fmt.Sprintf("scan%d", i), profile: p,
			sim: startDevsim(t, p, "--scans", scriptPath, "--rate", "50", "--paused")})
	}
	for i, p := range serialReaders {
		devs = append(devs, &e2eDevice{id: fmt.Sprintf("rdr%d", i), profile: p, reader: true,
			sim: startDevsim(t, p, "--tags", tagsPath, "--antennas", "1,2")})
	}
	d := startDepotWith(t, devs)
	d.waitAll(t, "every device up", devs, manager.Up)
	for _, dv := range devs {
		if !dv.reader {
			dv.sim.send("start", "started")
		}
	}
	checkDevices(t, d, devs, false)

	// Every device scan reached its station, was judged and answered with
	// a beep where the device can. The store is empty, so every part is
	// unknown; only the script's SSCC pallet label is good (a shipment).
	for _, dv := range devs {
		if dv.reader {
			continue
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, body := d.call(t, "GET", "/api/v1/stations/st-"+dv.id, e2eToken, "")
			var info struct{ Scans, Rejected uint64 }
			json.Unmarshal([]byte(body), &info)
			if code == 200 && info.Scans == 10 {
				if info.Rejected != 9 {
					t.Errorf("st-%s: %d of 10 scans rejected on an empty store, want 9", dv.id, info.Rejected)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("station st-%s: %d %s", dv.id, code, body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if code, body := d.call(t, "POST", "/api/v1/stations/st-scan0/scans", e2eToken, `{"data":"]C1 bad","aimId":"]C1"}`); code != 200 || !strings.Contains(body, `"code":"unreadable"`) {
		t.Fatalf("handheld scan: %d %s", code, body)
	}

	// Unplug every device at once, and plug them in again: each comes back
	// within its backoff, without a restart, and reads again.
	before := d.devices(t, e2eToken)
	for _, dv := range devs {
		dv.sim.send("unplug", "unplugged")
	}
	d.waitDevices(t, e2eToken, "every device down", func(m map[string]manager.Status) bool {
		for _, dv := range devs {
			if m[dv.id].State == manager.Up {
				return false
			}
		}
		return true
	})
	for _, dv := range devs {
		dv.sim.send("replug", "ready at")
	}
	after := d.waitAll(t, "every device back", devs, manager.Up)
	for _, dv := range devs {
		if after[dv.id].Reconnects <= before[dv.id].Reconnects {
			t.Errorf("%s: reconnects %d -> %d", dv.id, before[dv.id].Reconnects, after[dv.id].Reconnects)
		}
		if !dv.reader {
			n := len(d.scans(t, e2eToken, dv.id))
			dv.sim.send("scan ]C1 0109506000134352<GS>21AFTER-REPLUG", "queued")
			waitScans(t, d, dv.id, n+1)
			got := d.scans(t, e2eToken, dv.id)
			if last := got[len(got)-1]; last.Data != "0109506000134352\x1d21AFTER-REPLUG" {
				t.Errorf("%s: scan after replug = %+v", dv.id, last)
			}
		}
	}

	// A reader that stops answering (hung firmware, a cable that still
	// holds the line) is noticed by its missing replies, reconnected, and
	// back when it talks again.
	var readers []*e2eDevice
	for _, dv := range devs {
		if dv.reader {
			readers = append(readers, dv)
			dv.sim.send("silence", "silent")
		}
	}
	down := d.waitDevices(t, e2eToken, "silent readers down", func(m map[string]manager.Status) bool {
		for _, dv := range readers {
			if m[dv.id].State == manager.Up || m[dv.id].LastError == "" {
				return false
			}
		}
		return true
	})
	for _, dv := range readers {
		t.Logf("%s went down while silent: %s", dv.id, down[dv.id].LastError)
		dv.sim.send("talk", "talking")
	}
	d.waitAll(t, "readers up again", readers, manager.Up)
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("depotd exit %d:\n%s", code, d.stderr)
	}
}

// TestDevicesWithFaults: with garbled frames and bad checksums on, depotd
// counts and skips the bad frames and reports nothing that was not sent.
func TestDevicesWithFaults(t *testing.T) {
	scriptPath, _ := filepath.Abs("testdata/scans.txt")
	tagsPath, _ := filepath.Abs("testdata/tags.txt")
	var devs []*e2eDevice
	for i, p := range serialScanners {
		devs = append(devs, &e2eDevice{id: fmt.Sprintf("scan%d", i), profile: p,
			sim: startDevsim(t, p, "--scans", scriptPath, "--loop", "--rate", "100", "--paused",
				"--garble", "0.15", "--bad-crc", "0.15", "--seed", fmt.Sprint(7+i))})
	}
	for i, p := range serialReaders {
		devs = append(devs, &e2eDevice{id: fmt.Sprintf("rdr%d", i), profile: p, reader: true,
			sim: startDevsim(t, p, "--tags", tagsPath, "--antennas", "1,2", "--garble", "0.1", "--bad-crc", "0.1", "--seed", fmt.Sprint(11+i))})
	}
	d := startDepotWith(t, devs)
	d.waitAll(t, "every device up", devs, manager.Up)
	for _, dv := range devs {
		if !dv.reader {
			dv.sim.send("start", "started")
		}
	}
	checkDevices(t, d, devs, true)
	d.stop(t, syscall.SIGTERM)
}

// checkDevices compares what depotd reports with what devsim recorded.
func checkDevices(t *testing.T, d *daemon, devs []*e2eDevice, faults bool) {
	t.Helper()
	tagFile, _ := os.ReadFile("testdata/tags.txt")
	for _, dv := range devs {
		t.Run(dv.profile, func(t *testing.T) {
			if dv.reader {
				// The tags in front of the antennas the reader reads.
				var population []string
				for _, l := range strings.Split(string(tagFile), "\n") {
					if f := strings.Fields(l); len(f) > 1 && !strings.HasPrefix(f[0], "#") && slices.Contains(dv.antennas(t), atoi(t, f[1])) {
						population = append(population, f[0])
					}
				}
				checkReader(t, d, dv, population, faults)
				return
			}
			checkScanner(t, d, dv, faults)
		})
	}
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitScans(t *testing.T, d *daemon, id string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(d.scans(t, e2eToken, id)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d scans, want %d\n%s", id, len(d.scans(t, e2eToken, id)), n, d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func checkScanner(t *testing.T, d *daemon, dv *e2eDevice, faults bool) {
	want := 10 // the script's scans
	if faults {
		want = 40
	}
	// Read depotd's scans first, then devsim's record: devsim records a
	// frame before it writes it, so the record holds every scan depotd can
	// have, and perhaps a few more on their way.
	deadline := time.Now().Add(30 * time.Second)
	var got []manager.ScanRecord
	var good []simScan
	bad := 0
	for {
		got = d.scans(t, e2eToken, dv.id)
		good, bad = good[:0], 0
		for _, r := range dv.sim.records() {
			if r.Kind != "scan" {
				continue
			}
			if r.Scan == nil {
				// A packet of a multi-packet scan: the scan is recorded
				// with its last packet.
				if !r.Good {
					bad++
				}
				continue
			}
			if r.Good {
				good = append(good, *r.Scan)
			} else {
				bad++
			}
		}
		if len(got) >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: devsim sent %d good scans, depotd has %d\n%s", dv.id, len(good), len(got), d.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every scan depotd reported is the next good one devsim sent. A
	// scanner resends a scan the host NAKed; the host reports it once, so
	// a good record equal to the one before it may be passed over.
	j := 0
	for i, g := range got {
		for j < len(good) && (g.Data != good[j].Data || g.AIMID != good[j].AIMID) && j > 0 && good[j] == good[j-1] {
			j++
		}
		if j == len(good) {
			t.Fatalf("%s: depotd reported %d scans, devsim sent %d good ones", dv.id, len(got), len(good))
		}
		if g.Data != good[j].Data || g.AIMID != good[j].AIMID || g.Station != "st-"+dv.id {
			t.Fatalf("%s scan %d = %q %q, devsim sent %q %q", dv.id, i, g.AIMID, g.Data, good[j].AIMID, good[j].Data)
		}
		j++
	}
	n := len(got)
	st := d.devices(t, e2eToken)[dv.id]
	if faults {
		if bad == 0 {
			t.Fatalf("%s: devsim spoiled no frame; the fault test tested nothing", dv.id)
		}
		if st.BadFrames == 0 {
			t.Fatalf("%s: devsim spoiled %d frames, depotd counted none", dv.id, bad)
		}
	} else if st.BadFrames != 0 {
		t.Fatalf("%s: %d bad frames without faults: %s", dv.id, st.BadFrames, st.LastBadFrame)
	}
	t.Logf("%s: %d scans matched, %d spoiled by devsim, %d bad frames counted", dv.id, n, bad, st.BadFrames)
}

func checkReader(t *testing.T, d *daemon, dv *e2eDevice, population []string, faults bool) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		seen := map[string]bool{}
		for _, e := range d.tagEvents(t, e2eToken, dv.id) {
			if !slices.Contains(population, e.EPC) {
				t.Fatalf("%s reported a tag that is not in the field: %+v", dv.id, e)
			}
			// A reader that does not report antennas (Chafon V2.0) reports 0,
			// which goes to the device's station.
			if (e.Antenna == 1 && e.Zone != "dock") || (e.Antenna == 2 && e.Zone != "aisle") || (e.Antenna == 0 && e.Zone != "st-"+dv.id) {
				t.Fatalf("%s: tag event in the wrong zone: %+v", dv.id, e)
			}
			seen[e.EPC] = true
		}
		st := d.devices(t, e2eToken)[dv.id]
		if len(seen) == len(population) && (!faults || st.BadFrames > 0) {
			t.Logf("%s: all %d tags seen, %d raw reads, %d bad frames (%d CRC)", dv.id, len(seen), st.TagReads, st.BadFrames, st.CRCErrors)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: saw %d of %d tags, %d bad frames; status %+v\n%s", dv.id, len(seen), len(population), st.BadFrames, st, d.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := d.devices(t, e2eToken)[dv.id]
	if !faults && st.BadFrames != 0 {
		t.Fatalf("%s: %d bad frames without faults: %s", dv.id, st.BadFrames, st.LastBadFrame)
	}
}
