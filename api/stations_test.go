package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// fakeStations stands in for the station router (tested in its package);
// here only the HTTP side is under test.
type fakeStations struct {
	mu    sync.Mutex
	scans []string
	kept  []station.Outcome
	live  chan station.Outcome // nil: Subscribe hands out a closed channel
}

func newFakeStations() *fakeStations {
	f := &fakeStations{}
	for i := 1; i <= 3; i++ {
		f.kept = append(f.kept, station.Outcome{ID: uint64(i), Station: "dock-1", Good: i != 2, Message: fmt.Sprint("kept ", i)})
	}
	return f
}

func (f *fakeStations) Stations() []station.Info {
	return []station.Info{{ID: "dock-1", Operation: "identify"}, {ID: "scan-1", Operation: "identify"}}
}

func (f *fakeStations) Station(id string) (station.Info, bool) {
	for _, s := range f.Stations() {
		if s.ID == id {
			return s, true
		}
	}
	return station.Info{}, false
}

func (f *fakeStations) Scan(ctx context.Context, id, actor, aimID, data string) (station.Outcome, error) {
	if _, ok := f.Station(id); !ok {
		return station.Outcome{}, station.ErrNoStation
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scans = append(f.scans, actor+" "+aimID+data)
	good := !strings.HasPrefix(data, "BAD")
	o := station.Outcome{ID: uint64(len(f.scans)), Station: id, Actor: actor, Data: data, AIMID: aimID, Good: good, Operation: "identify"}
	if !good {
		o.Code = station.CodeUnknownCode
	}
	return o, nil
}

func (f *fakeStations) Subscribe(id string, after uint64) ([]station.Outcome, <-chan station.Outcome, func(), error) {
	if _, ok := f.Station(id); !ok {
		return nil, nil, nil, station.ErrNoStation
	}
	var backlog []station.Outcome
	for _, o := range f.kept {
		if o.ID > after {
			backlog = append(backlog, o)
		}
	}
	live := f.live
	if live == nil {
		c := make(chan station.Outcome)
		close(c)
		live = c
	}
	return backlog, live, func() {}, nil
}

func (f *fakeStations) Begin(id string, req station.OperationRequest) (station.Info, error) {
	in, ok := f.Station(id)
	if !ok {
		return station.Info{}, station.ErrNoStation
	}
	switch req.Kind {
	case "identify":
	case "receive":
		if req.Ref == "PO-404" {
			return station.Info{}, &inventory.Error{Code: inventory.CodeNotFound, Field: "ref", Msg: "no purchase order PO-404"}
		}
		in.Ref = req.Ref
	default:
		return station.Info{}, fmt.Errorf("%w: unknown kind", station.ErrBadOperation)
	}
	in.Operation = req.Kind
	return in, nil
}

func TestStartOperation(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/api/v1/stations/dock-1/operation", `{"kind":"receive","ref":"PO-7","to":"QUAR"}`, 200},
		{"/api/v1/stations/dock-1/operation", `{"kind":"receive","ref":"PO-404","to":"QUAR"}`, 404},
		{"/api/v1/stations/dock-1/operation", `{"kind":"dance"}`, 400},
		{"/api/v1/stations/nowhere/operation", `{"kind":"identify"}`, 404},
	} {
		w := f.do(req{method: "POST", path: tc.path, role: RoleStorekeeper, body: tc.body})
		if w.Code != tc.status {
			t.Errorf("%s %s: %d %s", tc.path, tc.body, w.Code, w.Body)
		}
	}
}

func TestStationScans(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		body   string
		role   string
		status int
		good   bool
		code   string
	}{
		{`{"data":"PN-1","aimId":"]C0"}`, RoleStorekeeper, 200, true, ""},
		{`{"data":"BAD-1"}`, RoleEngineer, 200, false, "unknown_code"},
		{`{"data":""}`, RoleStorekeeper, 400, false, "invalid_request"},
		{`{"data":"x","aimId":"C1"}`, RoleStorekeeper, 400, false, "invalid_request"},
		{`{"data":"x"}`, RoleAuditor, 403, false, "forbidden"},
	} {
		w := f.do(req{method: "POST", path: "/api/v1/stations/dock-1/scans", role: tc.role, body: tc.body})
		if w.Code != tc.status {
			t.Errorf("%s: %d %s", tc.body, w.Code, w.Body)
			continue
		}
		if w.Code != 200 {
			if p := decodeProblem(t, w); p.Code != tc.code {
				t.Errorf("%s: code %s", tc.body, p.Code)
			}
			continue
		}
		var o station.Outcome
		if err := json.Unmarshal(w.Body.Bytes(), &o); err != nil || o.Good != tc.good || o.Code != tc.code || o.Actor != tc.role+"-user" {
			t.Errorf("%s: %+v %v", tc.body, o, err)
		}
	}
	if w := f.do(req{method: "POST", path: "/api/v1/stations/nowhere/scans", role: RoleStorekeeper, body: `{"data":"x"}`}); w.Code != 404 {
		t.Errorf("unknown station: %d", w.Code)
	}
	// A handheld retrying with its key scans once.
	n := len(f.stations.scans)
	for i := 0; i < 2; i++ {
		w := f.do(req{method: "POST", path: "/api/v1/stations/dock-1/scans", role: RoleStorekeeper, body: `{"data":"PN-2"}`, header: map[string]string{"Idempotency-Key": "hh-7"}})
		if w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if len(f.stations.scans) != n+1 {
		t.Fatalf("a retried scan was scanned again: %v", f.stations.scans)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/stations", role: RoleAuditor}); w.Code != 200 || !strings.Contains(w.Body.String(), `"dock-1"`) {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
}

// TestStationEventStream reads the stream as a browser's EventSource does:
// the kept outcomes after Last-Event-ID, then live ones.
func TestStationEventStream(t *testing.T) {
	f := newFixture(t)
	f.stations.live = make(chan station.Outcome, 1)
	srv := httptest.NewServer(f.srv.engine)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rq, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/stations/dock-1/events", nil)
	rq.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
	rq.Header.Set("Last-Event-ID", "1")
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	next := func() (id string, o station.Outcome) {
		t.Helper()
		id, _, o = nextSSE[station.Outcome](t, br)
		return id, o
	}
	for _, want := range []string{"2", "3"} {
		if id, o := next(); id != want || fmt.Sprint(o.ID) != want {
			t.Fatalf("backlog: id %s outcome %+v, want %s", id, o, want)
		}
	}
	f.stations.live <- station.Outcome{ID: 4, Station: "dock-1", Good: true, Message: "live"}
	if id, o := next(); id != "4" || o.Message != "live" {
		t.Fatalf("live: %s %+v", id, o)
	}
	for _, path := range []string{"/api/v1/stations/nowhere/events", "/api/v1/stations/dock-1/events?after=x"} {
		rq, _ := http.NewRequest("GET", srv.URL+path, nil)
		rq.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 && resp.StatusCode != 400 {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}
