package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/gs1"
	"github.com/partsedge/partsedge/inventory"
)

func appendAll(t testing.TB, st *inventory.Store, cmds ...inventory.Command) {
	t.Helper()
	for _, c := range cmds {
		if c.Actor == "" {
			c.Actor = "seed"
		}
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s %s: %v", c.Type, c.Ref, err)
		}
	}
}

func requestCmd(number string, lines ...inventory.TransferLine) inventory.Command {
	return inventory.Command{Type: inventory.EvTransferRequested, Ref: number,
		Transfer: &inventory.Transfer{Number: number, From: "DEPOT-T", To: "DEPOT-B", Expected: "2026-03-04", Lines: lines}}
}

// seedTransfer adds outbound transfer number (after seed): 2 P-NONE and
// a serial (S1) picked from A-01 and sealed with SSCC prefix 0614141.
func seedTransfer(t testing.TB, st *inventory.Store, number string) {
	t.Helper()
	seedTransferWith(t, st, number, "S1")
}

func seedTransferWith(t testing.TB, st *inventory.Store, number, serial string) {
	t.Helper()
	transit := inventory.TransitLocation(number)
	appendAll(t, st,
		requestCmd(number, inventory.TransferLine{SKU: "P-NONE", Qty: 3}, inventory.TransferLine{SKU: "P-SER", Qty: 1}),
		inventory.Command{Type: inventory.EvTransferApproved, Actor: "seed-planner", Ref: number},
		inventory.Command{Type: inventory.EvTransferShipped, Ref: number, Lines: []inventory.Line{
			{SKU: "P-NONE", Qty: 2, From: "A-01", To: transit}, {SKU: "P-SER", Qty: 1, From: "A-01", To: transit, Serials: []string{serial}}}},
		inventory.Command{Type: inventory.EvTransferDispatched, Ref: number, Shipment: &inventory.Shipment{CompanyPrefix: "0614141"}})
}

// seedTransferSteps prepares one transfer per transfer event type for
// TestPostPermissions: T-REQ requested, T-PICKED approved with a unit
// picked, T-IN0 announced.
func seedTransferSteps(t testing.TB, st *inventory.Store) {
	t.Helper()
	appendAll(t, st,
		requestCmd("T-REQ", inventory.TransferLine{SKU: "P-NONE", Qty: 1}),
		requestCmd("T-PICKED", inventory.TransferLine{SKU: "P-NONE", Qty: 1}),
		inventory.Command{Type: inventory.EvTransferApproved, Actor: "seed-planner", Ref: "T-PICKED"},
		inventory.Command{Type: inventory.EvTransferShipped, Ref: "T-PICKED", Lines: []inventory.Line{
			{SKU: "P-NONE", Qty: 1, From: "A-01", To: "TRANSIT-T-PICKED"}}},
		inventory.Command{Type: inventory.EvTransferAnnounced, Ref: "T-IN0",
			Transfer: &inventory.Transfer{From: "DEPOT-B", To: "DEPOT-T", Lines: []inventory.TransferLine{{SKU: "P-NONE", Qty: 1}}},
			Shipment: &inventory.Shipment{SSCC: "006141411234567890", Lines: []inventory.ShipmentLine{{SKU: "P-NONE", Qty: 1}}}})
}

// TestTransferAPIBetweenTwoDepots drives a transfer through two depots'
// APIs: requested by a storekeeper, approved by a planner, picked by
// events, sealed with an SSCC; the manifest announced at the destination
// as it came; received one unit short and one serial damaged; the short
// written off by the planner. Both ledgers verify clean.
func TestTransferAPIBetweenTwoDepots(t *testing.T) {
	src := newFixture(t)
	seed(t, src.store)
	mustDo := func(f *fixture, r req, status int) *httptest.ResponseRecorder {
		t.Helper()
		w := f.do(r)
		if w.Code != status {
			t.Fatalf("%s %s: %d %s", r.method, r.path, w.Code, w.Body)
		}
		return w
	}
	p := func(role, path string, body any) req {
		return req{method: "POST", path: path, role: role, body: body}
	}
	mustDo(src, p(RoleStorekeeper, "/api/v1/transfers",
		`{"number":"T-7","from":"DEPOT-T","to":"DEPOT-B","expected":"2026-03-04","lines":[{"sku":"P-NONE","qty":3},{"sku":"P-SER","qty":1}]}`), 201)
	mustDo(src, p(RolePlanner, "/api/v1/transfers/T-7/approve", `{}`), 200)
	mustDo(src, post(RoleStorekeeper, `{"type":"transfer-shipped","ref":"T-7","lines":[{"sku":"P-NONE","qty":3,"from":"A-01","to":"TRANSIT-T-7"},{"sku":"P-SER","qty":1,"from":"A-01","to":"TRANSIT-T-7","serials":["S2"]}]}`), 201)
	w := mustDo(src, p(RoleStorekeeper, "/api/v1/transfers/T-7/ship", `{"companyPrefix":"0614141","extensionDigit":1}`), 200)
	m := decodeJSON[Manifest](t, w)
	if m.Shipment == nil || m.Shipment.SSCC != inventory.NewSSCC(1, "0614141", m.Event.Seq) || len(m.Shipment.Lines) != 2 || m.Number != "T-7" {
		t.Fatalf("manifest %s", w.Body)
	}
	sscc := m.Shipment.SSCC

	// The label: a GS1-128 element string that the GS1 parser (which checks
	// AI 00's check digit) reads back, and the ZPL golden file.
	w = mustDo(src, req{method: "GET", path: "/api/v1/transfers/T-7/label?format=gs1", role: RoleAuditor}, 200)
	golden(t, "label-T-7.gs1.json", w.Body.String())
	lab := decodeJSON[struct{ SSCC, ElementString, HRI string }](t, w)
	res, err := gs1.Parse(lab.ElementString)
	if err != nil || len(res.Elements) != 1 || res.Elements[0].AI != "00" || res.Elements[0].Value != sscc || lab.HRI != "(00)"+sscc {
		t.Fatalf("label %s: %+v %v", w.Body, res, err)
	}
	w = mustDo(src, req{method: "GET", path: "/api/v1/transfers/T-7/label", role: RoleAuditor}, 200)
	golden(t, "label-T-7.zpl", w.Body.String())
	if !strings.Contains(w.Body.String(), "^FD>;>800"+sscc+"^FS") {
		t.Fatalf("ZPL without the GS1-128 field: %s", w.Body)
	}

	// The destination takes the manifest exactly as the source answered.
	dst := newFixture(t)
	for _, l := range []inventory.Location{{Code: "A-02"}, {Code: "DEF-01", Kind: inventory.KindDefective}} {
		appendAll(t, dst.store, inventory.Command{Type: inventory.EvLocationDefined, Location: &l})
	}
	for _, p := range []inventory.Part{{SKU: "P-NONE"}, {SKU: "P-SER", Tracking: inventory.TrackSerial}} {
		appendAll(t, dst.store, inventory.Command{Type: inventory.EvPartDefined, Part: &p})
	}
	// Both fixtures are depot DEPOT-T, so the manifest is addressed to it
	// as if it came from DEPOT-B.
	m.Event, m.From, m.To = nil, "DEPOT-B", "DEPOT-T"
	ann := p(RolePlanner, "/api/v1/transfers", m)
	ann.header = map[string]string{"Idempotency-Key": "announce-T-7"}
	w = mustDo(dst, ann, 201)
	if again := mustDo(dst, ann, 201); again.Body.String() != w.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("announce retried: %s / %s", w.Body, again.Body)
	}
	w = mustDo(dst, req{method: "GET", path: "/api/v1/transfers/T-7", role: RoleAuditor}, 200)
	if !strings.Contains(w.Body.String(), `"direction":"inbound"`) || !strings.Contains(w.Body.String(), `"status":"shipped"`) {
		t.Fatalf("announced: %s", w.Body)
	}
	mustDo(dst, post(RoleStorekeeper, `{"type":"transfer-received","ref":"T-7","lines":[{"sku":"P-NONE","qty":2,"from":"TRANSIT-T-7","to":"A-02"}]}`), 201)
	w = mustDo(dst, p(RoleStorekeeper, "/api/v1/transfers/T-7/receive",
		`{"note":"box crushed","damaged":[{"sku":"P-SER","qty":1,"serials":["S2"],"to":"DEF-01"}]}`), 200)
	rep := decodeJSON[struct{ Report inventory.TransferReport }](t, w).Report
	if rep.Shipped != 4 || rep.Received != 2 || rep.Damaged != 1 || rep.Short != 1 {
		t.Fatalf("report %s", w.Body)
	}
	before := dst.store.Head().Seq
	w = mustDo(dst, p(RoleStorekeeper, "/api/v1/transfers/T-7/write-off", `{"reason":"lost"}`), 403)
	w = mustDo(dst, post(RoleStorekeeper, `{"type":"scrap","ref":"T-7","lines":[{"sku":"P-NONE","qty":1,"from":"TRANSIT-T-7"}]}`), 403)
	mustDo(dst, p(RolePlanner, "/api/v1/transfers/T-7/write-off", `{}`), 400)
	if dst.store.Head().Seq != before {
		t.Fatal("a refused write-off wrote")
	}
	wo := p(RolePlanner, "/api/v1/transfers/T-7/write-off", `{"reason":"lost in transit"}`)
	wo.header = map[string]string{"Idempotency-Key": "wo-1"}
	first := mustDo(dst, wo, 200)
	if dst.store.Head().Seq != before+1 {
		t.Fatalf("write-off: head %d -> %d", before, dst.store.Head().Seq)
	}
	if again := checkReplayed(t, dst, "write-off retry", wo, 200); first.Body.String() != again.Body.String() {
		t.Fatalf("write-off retry: %s / %s", first.Body, again.Body)
	}
	w = mustDo(dst, req{method: "GET", path: "/api/v1/transfers/T-7", role: RoleAuditor}, 200)
	got := decodeJSON[inventory.TransferInfo](t, w)
	if got.Status != inventory.TransferClosed || got.Report.Short != 1 || got.Lines[0].WrittenOff != 1 {
		t.Fatalf("T-7 at the destination: %s", w.Body)
	}
	for _, f := range []*fixture{src, dst} {
		rep, err := f.store.Verify(context.Background(), nil)
		if err != nil || !rep.OK {
			t.Fatalf("verify: %v %v", err, rep.Problems)
		}
	}
}

// TestTransferAPIRefusals: each refusal answers its problem and writes nothing.
func TestTransferAPIRefusals(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedTransfer(t, f.store, "T-SEALED")
	appendAll(t, f.store, inventory.Command{Type: inventory.EvTransferRequested, Actor: "planner-user", Ref: "T-MINE",
		Transfer: &inventory.Transfer{From: "DEPOT-T", To: "DEPOT-B", Lines: []inventory.TransferLine{{SKU: "P-NONE", Qty: 1}}}},
		requestCmd("T-OPEN", inventory.TransferLine{SKU: "P-NONE", Qty: 1}))
	get := func(path string) req { return req{method: "GET", path: path, role: RoleAuditor} }
	p := func(role, path, body string) req { return req{method: "POST", path: path, role: role, body: body} }
	for _, tc := range []routeStep{
		{"self approval", p(RolePlanner, "/api/v1/transfers/T-MINE/approve", `{}`), 403, "self_approval"},
		{"approval by a storekeeper", p(RoleStorekeeper, "/api/v1/transfers/T-OPEN/approve", `{}`), 403, "forbidden"},
		{"request by an engineer", p(RoleEngineer, "/api/v1/transfers", `{"number":"T-9","from":"A","to":"B","lines":[{"sku":"P-NONE","qty":1}]}`), 403, "forbidden"},
		{"request of an unknown part", p(RoleStorekeeper, "/api/v1/transfers", `{"number":"T-9","from":"DEPOT-T","to":"B","lines":[{"sku":"NOPE","qty":1}]}`), 422, "unknown_part"},
		{"request twice", p(RoleStorekeeper, "/api/v1/transfers", `{"number":"T-OPEN","from":"DEPOT-T","to":"B","lines":[{"sku":"P-NONE","qty":1}]}`), 409, "document_exists"},
		{"request from another depot", p(RoleStorekeeper, "/api/v1/transfers", `{"number":"T-9","from":"DEPOT-X","to":"B","lines":[{"sku":"P-NONE","qty":1}]}`), 400, "invalid_request"},
		{"announce at another depot", p(RolePlanner, "/api/v1/transfers", `{"number":"T-9","from":"A","to":"DEPOT-X","lines":[{"sku":"P-NONE","qty":1}],"shipment":{"sscc":"006141411234567890","lines":[{"sku":"P-NONE","qty":1}]}}`), 400, "invalid_request"},
		{"request with a stray field", p(RoleStorekeeper, "/api/v1/transfers", `{"number":"T-9","from":"A","to":"B","lines":[{"sku":"P-NONE","qty":1}],"x":1}`), 400, "invalid_request"},
		{"announce a bad SSCC", p(RolePlanner, "/api/v1/transfers", `{"number":"T-9","from":"A","to":"B","lines":[{"sku":"P-NONE","qty":1}],"shipment":{"sscc":"006141411234567891","lines":[{"sku":"P-NONE","qty":1}]}}`), 400, "invalid_request"},
		{"ship before approval", p(RoleStorekeeper, "/api/v1/transfers/T-OPEN/ship", `{"companyPrefix":"0614141"}`), 409, "transfer_state"},
		{"ship without a prefix", p(RoleStorekeeper, "/api/v1/transfers/T-OPEN/ship", `{}`), 400, "invalid_request"},
		{"ship again", p(RoleStorekeeper, "/api/v1/transfers/T-SEALED/ship", `{"companyPrefix":"0614141"}`), 409, "transfer_state"},
		{"ship unknown", p(RoleStorekeeper, "/api/v1/transfers/T-NONE/ship", `{"companyPrefix":"0614141"}`), 404, "not_found"},
		{"receive an outbound transfer", p(RoleStorekeeper, "/api/v1/transfers/T-SEALED/receive", `{}`), 409, "transfer_state"},
		{"write off an outbound transfer", p(RolePlanner, "/api/v1/transfers/T-SEALED/write-off", `{"reason":"x"}`), 409, "transfer_state"},
		{"settle by hand as a storekeeper", p(RoleStorekeeper, "/api/v1/events", `{"type":"transfer-closed","ref":"T-SEALED","transferReport":{"number":"T-SEALED","lines":[{"sku":"P-NONE","shipped":1,"received":1}]}}`), 403, "forbidden"},
		{"settle by hand as a planner", p(RolePlanner, "/api/v1/events", `{"type":"transfer-closed","ref":"T-SEALED","transferReport":{"number":"T-SEALED","lines":[{"sku":"P-NONE","shipped":1,"received":1}]}}`), 403, "forbidden"},
		{"label before sealing", get("/api/v1/transfers/T-OPEN/label"), 409, "transfer_state"},
		{"label in another format", get("/api/v1/transfers/T-SEALED/label?format=pdf"), 400, "invalid_request"},
		{"list by a bad status", get("/api/v1/transfers?status=lost"), 400, "invalid_request"},
		{"list overdue=yes", get("/api/v1/transfers?overdue=yes"), 400, "invalid_request"},
		{"get unknown", get("/api/v1/transfers/T-NONE"), 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, f) })
	}
}

// TestTransferAPIOverdue: the API's clock passing the expected day makes a
// sealed transfer overdue in the list filter and in its flag.
func TestTransferAPIOverdue(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedTransfer(t, f.store, "T-1") // expected 2026-03-04; the clock says 2026-03-02
	seedTransferWith(t, f.store, "T-2", "S2")
	list := func() string {
		w := f.do(req{method: "GET", path: "/api/v1/transfers?overdue=true", role: RolePlanner})
		var got struct{ Items []inventory.TransferInfo }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		var out []string
		for _, it := range got.Items {
			out = append(out, it.Number)
		}
		return strings.Join(out, ",")
	}
	if l := list(); l != "" {
		t.Fatalf("overdue before the day: %s", l)
	}
	f.clock.Advance(3 * 24 * time.Hour)
	if l := list(); l != "T-1,T-2" {
		t.Fatalf("overdue after the day: %q", l)
	}
	w := f.do(req{method: "GET", path: "/api/v1/transfers/T-1", role: RolePlanner})
	if !strings.Contains(w.Body.String(), `"overdue":true`) {
		t.Fatalf("no overdue flag: %s", w.Body)
	}
}

// golden compares got with testdata/name; -update writes it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// FuzzPostTransfer posts arbitrary bodies to POST /transfers (a request,
// or with a shipment an announced manifest from another depot) as a
// planner: never a server error, a refusal writes nothing, an acceptance
// writes one event.
func FuzzPostTransfer(f *testing.F) {
	for _, s := range []string{
		`{"number":"T-1","from":"DEPOT-T","to":"DEPOT-B","expected":"2026-03-04","lines":[{"sku":"P-NONE","qty":2}]}`,
		`{"number":"T-2","from":"DEPOT-B","to":"DEPOT-T","lines":[{"sku":"P-NONE","qty":2},{"sku":"P-SER","qty":1}],
			"shipment":{"sscc":"006141411234567890","lines":[{"sku":"P-NONE","qty":2},{"sku":"P-SER","qty":1,"serials":["S9"]}]}}`,
		`{"number":"T-3","from":"A","to":"DEPOT-T","lines":[{"sku":"P-LOT","qty":1}],"shipment":{"sscc":"(00)106141411234567897","lines":[{"sku":"P-LOT","qty":1,"lot":"L5","expiry":"2031-01-01"}]}}`,
		`{"number":"T-4","from":"A","to":"DEPOT-T","lines":[{"sku":"P-NONE","qty":1}],"shipment":{"sscc":"006141411234567891","lines":[{"sku":"P-NONE","qty":1}]}}`,
		`{"number":"T-5","from":"A","to":"A","lines":[]}`,
		`{"number":"","lines":[{"sku":"P-NONE","qty":-1}]}`, `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	fx := newFixture(f)
	seed(f, fx.store)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFuzzedPost(t, fx, req{method: "POST", path: "/api/v1/transfers", role: RolePlanner, body: body},
			`"transfer":{"number":`, `"event":{"seq":`)
	})
}
