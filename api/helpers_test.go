package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// fakeClock is a settable clock shared by the store and the API.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// tokenOf is the fixed token of the fixture's user for each role.
func tokenOf(role string) string { return "test-token-" + role + "-0123456789" }

type fixture struct {
	store    *inventory.Store
	devices  *fakeDevices
	stations *fakeStations
	srv      *server
	clock    *fakeClock
	ready    bool
	mu       sync.Mutex
}

type fixtureOpt func(*Config)

// newFixture opens a real store on disk with one user per role and the API
// over it; seeded adds a small catalogue with stock (see seed).
func newFixture(t testing.TB, opts ...fixtureOpt) *fixture {
	t.Helper()
	clock := newFakeClock()
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: "DEPOT-T", Clock: clock, GCInterval: -1})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, role := range Roles() {
		if err := st.PutUser(inventory.User{Name: role + "-user", Role: role}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddToken(role+"-user", tokenOf(role)); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{store: st, clock: clock, ready: true}
	f.devices = newFakeDevices()
	f.stations = newFakeStations()
	cfg := Config{Store: st, Clock: clock, Version: "v-test", Ready: f.isReady, Devices: f.devices, Stations: f.stations}
	for _, o := range opts {
		o(&cfg)
	}
	f.srv = newServer(cfg)
	return f
}

func (f *fixture) isReady() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ready
}

func (f *fixture) setReady(r bool) {
	f.mu.Lock()
	f.ready = r
	f.mu.Unlock()
}

// seed defines a small world through the store (not the API under test):
//
//	locations A-01, A-02 (stock), Q-01 (quarantine), DEF-01 (defective),
//	          VAN-1 (van), TR-1 (transit)
//	parts     P-NONE (untracked, GTIN 5901234123457, alias SUP-1), P-LOT (lot),
//	          P-SER (serial), P/SLASH (untracked, a '/' in its SKU)
//	stock     10 P-NONE, 5 P-LOT lot L1 (expires 2030-01-01), P-SER S1 and S2,
//	          all in A-01; 3 P-NONE reserved for WO-1
//
// seedPO adds purchase order PO-2 (after seed), with 3 of its 4 P-NONE
// received into quarantine.
// seededPallet is the SSCC of the pallet seedPO announces.
const seededPallet = "395060001234567894"

func seedPO(t testing.TB, st *inventory.Store) {
	t.Helper()
	for _, c := range []inventory.Command{
		{Type: inventory.EvPOCreated, Ref: "PO-2", Order: &inventory.PurchaseOrder{Supplier: "ACME", TolerancePct: 10,
			Lines: []inventory.POLine{{Line: 1, SKU: "P-NONE", Qty: 4}, {Line: 2, SKU: "P-SER", Qty: 1}}}},
		{Type: inventory.EvReceipt, Ref: "PO-2", Lines: []inventory.Line{{SKU: "P-NONE", Qty: 3, To: "Q-01"}}},
		{Type: inventory.EvASNAnnounced, Ref: "PO-2", Notice: &inventory.ShippingNotice{Number: "ASN-2", Pallets: []inventory.Pallet{
			{SSCC: seededPallet, Lines: []inventory.PalletLine{{SKU: "P-NONE", Qty: 1}}}}}},
	} {
		c.Actor = "seed"
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s: %v", c.Type, err)
		}
	}
}

// seedCount opens count session C-1 over zone A (after seed), blind, with
// P-NONE counted in A-01 by "counter".
func seedCount(t testing.TB, st *inventory.Store) {
	t.Helper()
	for _, c := range []inventory.Command{
		{Type: inventory.EvCountOpened, Ref: "C-1", Count: &inventory.CountPayload{Session: &inventory.CountSession{
			Scope: inventory.CountScope{Zone: "A"}, Blind: true}}},
		{Type: inventory.EvCountEntered, Ref: "C-1", Actor: "counter", Count: &inventory.CountPayload{Entry: &inventory.CountEntry{
			Bin: "A-01", Items: []inventory.CountItem{{SKU: "P-NONE", Qty: 9}}}}},
	} {
		if c.Actor == "" {
			c.Actor = "seed"
		}
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s: %v", c.Type, err)
		}
	}
}

func seed(t testing.TB, st *inventory.Store) {
	t.Helper()
	cmds := []inventory.Command{}
	for _, l := range []inventory.Location{
		{Code: "A-01", Kind: inventory.KindStock, Zone: "A"},
		{Code: "A-02", Kind: inventory.KindStock, Zone: "A"},
		{Code: "Q-01", Kind: inventory.KindQuarantine},
		{Code: "DEF-01", Kind: inventory.KindDefective},
		{Code: "VAN-1", Kind: inventory.KindVan},
		{Code: "TR-1", Kind: inventory.KindTransit},
	} {
		cmds = append(cmds, inventory.Command{Type: inventory.EvLocationDefined, Location: &l})
	}
	for _, p := range []inventory.Part{
		{SKU: "P-NONE", Description: "Run capacitor 35uF", GTINs: []string{"5901234123457"}, Aliases: []string{"SUP-1"}},
		{SKU: "P-LOT", Description: "Refrigerant R32", Unit: "ml", Tracking: inventory.TrackLot},
		{SKU: "P-SER", Description: "Compressor", Tracking: inventory.TrackSerial},
		{SKU: "P/SLASH", Description: "A part whose SKU has a slash"},
	} {
		cmds = append(cmds, inventory.Command{Type: inventory.EvPartDefined, Part: &p})
	}
	cmds = append(cmds,
		inventory.Command{Type: inventory.EvReceipt, Ref: "PO-1", Lines: []inventory.Line{
			{SKU: "P-NONE", Qty: 10, To: "A-01"},
			{SKU: "P-LOT", Qty: 5, To: "A-01", Lot: "L1", Expiry: "2030-01-01"},
			{SKU: "P-SER", Qty: 2, To: "A-01", Serials: []string{"S1", "S2"}},
		}},
		inventory.Command{Type: inventory.EvReserve, Ref: "WO-1", Lines: []inventory.Line{
			{SKU: "P-NONE", Qty: 3, Location: "A-01"},
		}},
	)
	for _, c := range cmds {
		c.Actor = "setup"
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s: %v", c.Type, err)
		}
	}
}

// req is one request to the API under test.
type req struct {
	method, path string
	role         string // "" sends no Authorization header
	token        string // overrides role's token
	body         any    // string or []byte sent as is; anything else as JSON
	contentType  string // default application/json when there is a body
	header       map[string]string
}

func (f *fixture) do(r req) *httptest.ResponseRecorder {
	var body io.Reader = http.NoBody
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		body = bytes.NewReader(enc)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.body != nil {
		ct := r.contentType
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	tok := r.token
	if tok == "" && r.role != "" {
		tok = tokenOf(r.role)
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.srv.engine.ServeHTTP(w, hr)
	return w
}

func decodeProblem(t testing.TB, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, w.Body)
	}
	var p Problem
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	if p.Status != w.Code {
		t.Errorf("problem status %d, HTTP status %d", p.Status, w.Code)
	}
	if p.Type != problemTypeBase+p.Code || p.Title == "" {
		t.Errorf("problem type %q / title %q do not fit code %q", p.Type, p.Title, p.Code)
	}
	return p
}

func decodeJSON[T any](t testing.TB, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, w.Body, err)
	}
	return v
}

// seedReorder gives P-NONE a minmax policy (after seed), min 2, max 20.
func seedReorder(t testing.TB, st *inventory.Store) {
	t.Helper()
	p := inventory.ReorderPolicy{SKU: "P-NONE", Method: inventory.MethodMinMax, Min: 2, Max: 20}
	if _, err := st.Append(context.Background(), inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "seed", Policy: &p}); err != nil {
		t.Fatalf("seed policy: %v", err)
	}
}

// routeStep is one request of a route table played on one fixture, in
// order (runRouteCases gives each case a fresh one), and the answer it
// must get: the status and, for a refusal, the problem code. An empty
// name stands for the request's role, method and path.
type routeStep struct {
	name   string
	r      req
	status int
	code   string
}

func (tc routeStep) check(t testing.TB, f *fixture) bool {
	t.Helper()
	return checkAnswer(t, f, tc.name, tc.r, tc.status, tc.code, "")
}

// checkAnswer does r and checks its answer: the status, and when code is
// not empty (a refusal) that the answer is a problem with that code, on
// field when one is named, and that the refusal wrote no event. It
// reports any difference as an error and says whether there was none.
func checkAnswer(t testing.TB, f *fixture, name string, r req, status int, code, field string) bool {
	t.Helper()
	if name == "" {
		name = r.role + " " + r.method + " " + r.path
	}
	before := f.store.Head()
	w := f.do(r)
	if w.Code != status {
		t.Errorf("%s: %d %s, want %d %s", name, w.Code, w.Body, status, code)
		return false
	}
	if code == "" {
		return true
	}
	ok := true
	if p := decodeProblem(t, w); p.Code != code || (field != "" && p.Field != field) {
		t.Errorf("%s: code %s on %q, want %s on %q; %s", name, p.Code, p.Field, code, field, w.Body)
		ok = false
	}
	if f.store.Head() != before {
		t.Errorf("%s: a refusal wrote an event", name)
		ok = false
	}
	return ok
}

// checkFuzzedPost does r, a POST with an arbitrary body, and checks what
// holds whatever the body: never a server error; an acceptance (201)
// writes exactly one event and its answer holds each of want; anything
// else is a problem and writes nothing.
func checkFuzzedPost(t *testing.T, fx *fixture, r req, want ...string) {
	t.Helper()
	before := fx.store.Head().Seq
	w := fx.do(r)
	after := fx.store.Head().Seq
	switch {
	case w.Code >= 500:
		t.Fatalf("%d for %q: %s", w.Code, r.body, w.Body)
	case w.Code == http.StatusCreated:
		if after != before+1 {
			t.Fatalf("accepted %q but the head moved from %d to %d", r.body, before, after)
		}
		for _, s := range want {
			if !strings.Contains(w.Body.String(), s) {
				t.Fatalf("accepted %q without %s: %s", r.body, s, w.Body)
			}
		}
	default:
		if after != before {
			t.Fatalf("refused %q (%d %s) but the head moved from %d to %d", r.body, w.Code, w.Body, before, after)
		}
		decodeProblem(t, w)
	}
}

// checkReplayed does r, the retry of a request already answered, and
// checks that it answers status marked as a replay and writes nothing.
func checkReplayed(t testing.TB, f *fixture, name string, r req, status int) *httptest.ResponseRecorder {
	t.Helper()
	before := f.store.Head()
	w := f.do(r)
	if w.Code != status || w.Header().Get("Idempotent-Replayed") != "true" || f.store.Head() != before {
		t.Fatalf("%s: %d %s, replayed %q, head %d -> %d", name, w.Code, w.Body,
			w.Header().Get("Idempotent-Replayed"), before.Seq, f.store.Head().Seq)
	}
	return w
}

// nextSSE reads a server-sent event stream up to the next event's data:
// its id, its event name and its data decoded into T.
func nextSSE[T any](t testing.TB, br *bufio.Reader) (id, event string, v T) {
	t.Helper()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		if s, ok := strings.CutPrefix(line, "id: "); ok {
			id = s
		}
		if s, ok := strings.CutPrefix(line, "event: "); ok {
			event = s
		}
		if s, ok := strings.CutPrefix(line, "data: "); ok {
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				t.Fatal(err)
			}
			return id, event, v
		}
	}
}
