package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/rfid"
)

// fakeDevices stands in for the device manager, whose own tests run it
// over pseudo-terminals; here only the HTTP side is under test.
type fakeDevices struct {
	mu      sync.Mutex
	status  []manager.Status
	scans   []manager.ScanRecord
	tags    []manager.TagRecord
	signals []string
}

func newFakeDevices() *fakeDevices {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f := &fakeDevices{status: []manager.Status{
		{ID: "scan-1", Profile: "zebra-ssi-scanner", Kind: "scanner", State: manager.Up, Station: "dock-1", Frames: 3},
		{ID: "wedge", Profile: "generic-serial-scanner", Kind: "scanner", State: manager.Up},
		{ID: "door", Profile: "r2000-reader", Kind: "reader", State: manager.Down, LastError: "open /dev/ttyUSB0: no such file"},
	}}
	for i := 1; i <= 5; i++ {
		dev, st := "scan-1", "dock-1"
		if i%2 == 0 {
			dev, st = "wedge", "counter"
		}
		f.scans = append(f.scans, manager.ScanRecord{ID: uint64(i), Scan: devices.Scan{Device: dev, Station: st, Data: fmt.Sprint("code-", i), At: at}})
	}
	f.tags = []manager.TagRecord{
		{ID: 1, Event: rfid.Event{Kind: rfid.TagSeen, Zone: "dock", EPC: "3034", Device: "door"}},
		{ID: 2, Event: rfid.Event{Kind: rfid.TagSeen, Zone: "aisle", EPC: "3035", Device: "door"}},
		{ID: 3, Event: rfid.Event{Kind: rfid.TagGone, Zone: "dock", EPC: "3034", Device: "door"}},
	}
	return f
}

func (f *fakeDevices) Devices() []manager.Status { return f.status }
func (f *fakeDevices) Device(id string) (manager.Status, bool) {
	for _, s := range f.status {
		if s.ID == id {
			return s, true
		}
	}
	return manager.Status{}, false
}
func (f *fakeDevices) Unmatched() []manager.Unmatched { return nil }
func (f *fakeDevices) Scans(after uint64, limit int) ([]manager.ScanRecord, uint64) {
	var out []manager.ScanRecord
	for _, r := range f.scans {
		if r.ID > after && (limit == 0 || len(out) < limit) {
			out = append(out, r)
		}
	}
	return out, 0
}
func (f *fakeDevices) TagEvents(after uint64, limit int) ([]manager.TagRecord, uint64) {
	var out []manager.TagRecord
	for _, r := range f.tags {
		if r.ID > after && (limit == 0 || len(out) < limit) {
			out = append(out, r)
		}
	}
	return out, 0
}
func (f *fakeDevices) Signal(id string, good bool) error {
	switch id {
	case "wedge":
		return devices.ErrNotSupported
	case "door":
		return errors.New("device door is down")
	}
	f.mu.Lock()
	f.signals = append(f.signals, fmt.Sprint(id, good))
	f.mu.Unlock()
	return nil
}

func TestDeviceRoutes(t *testing.T) {
	f := newFixture(t)
	get := func(path string, v any) int {
		t.Helper()
		w := f.do(req{method: "GET", path: path, role: RoleStorekeeper})
		if w.Code == 200 && v != nil {
			if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return w.Code
	}
	var list deviceList
	if c := get("/api/v1/devices", &list); c != 200 || len(list.Items) != 3 || list.Items[2].LastError == "" || list.Unmatched == nil {
		t.Fatalf("devices: %d %+v", c, list)
	}
	var one manager.Status
	if c := get("/api/v1/devices/scan-1", &one); c != 200 || one.Frames != 3 {
		t.Fatalf("device: %d %+v", c, one)
	}
	if c := get("/api/v1/devices/nope", nil); c != 404 {
		t.Fatalf("unknown device: %d", c)
	}

	var page feedPage[manager.ScanRecord]
	for _, tc := range []struct {
		query string
		want  []uint64
		next  uint64
	}{
		{"", []uint64{1, 2, 3, 4, 5}, 5},
		{"?limit=2", []uint64{1, 2}, 2},
		{"?after=2&limit=2", []uint64{3, 4}, 4},
		{"?station=dock-1", []uint64{1, 3, 5}, 5},
		{"?device=wedge&limit=1", []uint64{2}, 2},
		{"?device=wedge&after=2", []uint64{4}, 5},
		{"?after=5", nil, 5},
	} {
		page = feedPage[manager.ScanRecord]{}
		if c := get("/api/v1/scans"+tc.query, &page); c != 200 {
			t.Fatalf("scans%s: %d", tc.query, c)
		}
		var ids []uint64
		for _, r := range page.Items {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tc.want) || page.Next != tc.next {
			t.Errorf("scans%s = %v next %d, want %v next %d", tc.query, ids, page.Next, tc.want, tc.next)
		}
	}
	for _, q := range []string{"?after=x", "?limit=0", "?limit=1001"} {
		if c := get("/api/v1/scans"+q, nil); c != 400 {
			t.Errorf("scans%s: %d, want 400", q, c)
		}
	}
	var tags feedPage[manager.TagRecord]
	if c := get("/api/v1/tag-events?zone=dock", &tags); c != 200 || len(tags.Items) != 2 || tags.Items[1].Kind != rfid.TagGone {
		t.Fatalf("tag events: %d %+v", c, tags)
	}
}

func TestSignalDevice(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		path, body string
		status     int
		code       string
	}{
		{"/api/v1/devices/scan-1/signal", `{"good":false}`, 200, ""},
		{"/api/v1/devices/scan-1/signal", `{}`, 400, "invalid_request"},
		{"/api/v1/devices/scan-1/signal", `{"good":"yes"}`, 400, ""},
		{"/api/v1/devices/wedge/signal", `{"good":true}`, 422, "not_supported"},
		{"/api/v1/devices/door/signal", `{"good":true}`, 409, "device_unavailable"},
		{"/api/v1/devices/nope/signal", `{"good":true}`, 404, "not_found"},
	} {
		w := f.do(req{method: "POST", path: tc.path, role: RoleAdmin, body: []byte(tc.body)})
		if w.Code != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.path, tc.body, w.Code, w.Body, tc.status)
			continue
		}
		if tc.code != "" && decodeProblem(t, w).Code != tc.code {
			t.Errorf("%s %s: code %s, want %s", tc.path, tc.body, w.Body, tc.code)
		}
	}
	if len(f.devices.signals) != 1 || f.devices.signals[0] != "scan-1false" {
		t.Fatalf("signals sent: %v", f.devices.signals)
	}
	// A retried request with its key beeps once.
	for i := 0; i < 2; i++ {
		w := f.do(req{method: "POST", path: "/api/v1/devices/scan-1/signal", role: RoleAdmin, body: []byte(`{"good":true}`), header: map[string]string{"Idempotency-Key": "beep-1"}})
		if w.Code != http.StatusOK {
			t.Fatalf("signal: %d %s", w.Code, w.Body)
		}
	}
	if len(f.devices.signals) != 2 {
		t.Fatalf("a repeat with the same key beeped again: %v", f.devices.signals)
	}
	if w := f.do(req{method: "POST", path: "/api/v1/devices/scan-1/signal", role: RoleStorekeeper, body: []byte(`{"good":true}`)}); w.Code != 403 {
		t.Fatalf("a storekeeper signalled: %d", w.Code)
	}
}
