package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// wantStatus is the published mapping, written out independently of
// problem.go.
var wantStatus = map[string]int{
	"invalid_request": 400, "malformed_json": 400,
	"unauthenticated": 401, "forbidden": 403,
	"not_found": 404, "method_not_allowed": 405,
	"body_too_large": 413, "too_large": 413,
	"unsupported_media_type": 415,
	"unknown_part":           422, "unknown_location": 422, "unknown_lot": 422, "tracking_mismatch": 422,
	"wrong_location_kind": 422, "lot_expiry_mismatch": 422, "idempotency_key_reused": 422,
	"insufficient_stock": 409, "insufficient_reserved": 409, "serial_conflict": 409,
	"serial_not_at_location": 409, "alias_taken": 409, "has_stock": 409, "user_exists": 409,
	"store_closed": 503, "internal": 500,
	"not_on_order": 422, "wrong_lot": 422, "lot_expired": 422, "over_tolerance": 422,
	"document_exists": 409, "document_closed": 409,
	"unknown_pallet": 422, "pallet_mismatch": 422, "pallet_received": 409,
	"not_on_transfer": 422, "over_shipped": 422, "transfer_state": 409, "self_approval": 403,
	"not_on_work_order": 422, "over_pick": 422, "not_issued": 422,
	"reorder_signal_open": 409, "reorder_signal_stale": 409,
	"not_in_scope": 422, "already_counted": 409, "not_a_counter": 403, "approver_counted": 403, "not_counted": 409,
}

// domainCodes reads every Code constant from inventory/errors.go, so a code
// added there fails this package's tests until problem.go maps it.
func domainCodes(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "inventory", "errors.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(file, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
			return true
		}
		for _, v := range vs.Values {
			if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				codes = append(codes, s)
			}
		}
		return true
	})
	if len(codes) < 15 {
		t.Fatalf("found only %d codes in inventory/errors.go: %v", len(codes), codes)
	}
	return codes
}

func TestEveryCodeHasItsStatus(t *testing.T) {
	for _, c := range domainCodes(t) {
		if _, ok := wantStatus[c]; !ok {
			t.Errorf("inventory code %q has no published status: add it to problem.go and this test", c)
		}
	}
	for code, want := range wantStatus {
		status, title := statusOf(inventory.Code(code))
		if status != want || title == "Request refused" {
			t.Errorf("%s: status %d title %q, want %d and its own title", code, status, title, want)
		}
	}
}

// failingStore makes single store methods misbehave.
type failingStore struct {
	*inventory.Store
	appendErr error
	panicPart bool
}

func (f *failingStore) Append(ctx context.Context, c inventory.Command) (inventory.Result, error) {
	if f.appendErr != nil {
		return inventory.Result{}, f.appendErr
	}
	return f.Store.Append(ctx, c)
}

func (f *failingStore) Part(sku string) (inventory.Part, error) {
	if f.panicPart {
		panic("part lookup exploded")
	}
	return f.Store.Part(sku)
}

type problemCase struct {
	code  string
	setup func(t *testing.T, f *fixture)
	req   req
	store func(f *fixture) Store // wraps the store, when set
}

// palletReceipt is a receipt of qty P-NONE against PO-2 naming a pallet.
func palletReceipt(sscc string, qty int) string {
	return fmt.Sprintf(`{"type":"receipt","ref":"PO-2","sscc":%q,"lines":[{"sku":"P-NONE","qty":%d,"to":"Q-01"}]}`, sscc, qty)
}

func withPO(t *testing.T, f *fixture) { seedPO(t, f.store) }

func goldenProblems() []problemCase {
	receipt := `{"type":"receipt","ref":"PO-9","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`
	return []problemCase{
		{code: "invalid_request", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":0,"to":"A-01"}]}`)},
		{code: "malformed_json", req: post(RoleStorekeeper, `{"type":"receipt",`)},
		{code: "unauthenticated", req: req{method: "GET", path: "/api/v1/stock"}},
		{code: "forbidden", req: post(RoleAuditor, receipt)},
		{code: "not_found", req: req{method: "GET", path: "/api/v1/parts/NOPE", role: RoleAuditor}},
		{code: "method_not_allowed", req: req{method: "PUT", path: "/api/v1/events", role: RoleAdmin}},
		{code: "unsupported_media_type", req: req{method: "POST", path: "/api/v1/events", role: RoleAdmin, body: receipt, contentType: "text/plain"}},
		{code: "body_too_large", req: post(RoleStorekeeper, `{"type":"receipt","note":"`+strings.Repeat("n", 1<<20)+`"}`)},
		{code: "too_large", req: post(RoleStorekeeper, receipt),
			store: func(f *fixture) Store {
				return &failingStore{Store: f.store, appendErr: &inventory.Error{Code: inventory.CodeTooLarge,
					Msg: "the command is too large for one transaction: split it"}}
			}},
		{code: "unknown_part", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-X","qty":1,"to":"A-01"}]}`)},
		{code: "unknown_location", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"Z-9"}]}`)},
		{code: "unknown_lot", req: post(RoleStorekeeper, `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-LOT","qty":1,"from":"A-01","lot":"L9"}]}`)},
		{code: "tracking_mismatch", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-SER","qty":1,"to":"A-01"}]}`)},
		{code: "wrong_location_kind", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"DEF-01"}]}`)},
		{code: "lot_expiry_mismatch", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-LOT","qty":1,"to":"A-01","lot":"L1","expiry":"2031-01-01"}]}`)},
		{code: "idempotency_key_reused", req: withKey(post(RoleStorekeeper, `{"type":"receipt","ref":"PO-9","lines":[{"sku":"P-NONE","qty":2,"to":"A-01"}]}`), "k1"),
			setup: func(t *testing.T, f *fixture) {
				if w := f.do(withKey(post(RoleStorekeeper, receipt), "k1")); w.Code != 201 {
					t.Fatalf("first use of the key: %d %s", w.Code, w.Body)
				}
			}},
		{code: "insufficient_stock", req: post(RoleEngineer, `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-NONE","qty":8,"from":"A-01"}]}`)},
		{code: "insufficient_reserved", req: post(RoleEngineer, `{"type":"unreserve","lines":[{"sku":"P-NONE","qty":4,"location":"A-01"}]}`)},
		{code: "serial_conflict", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-SER","qty":1,"to":"A-02","serials":["S1"]}]}`)},
		{code: "serial_not_at_location", req: post(RoleEngineer, `{"type":"issue","ref":"WO-3","lines":[{"sku":"P-SER","qty":1,"from":"A-02","serials":["S1"]}]}`)},
		{code: "alias_taken", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin, body: `{"sku":"P-NEW","aliases":["SUP-1"]}`}},
		{code: "has_stock", req: req{method: "POST", path: "/api/v1/locations", role: RoleAdmin, body: `{"code":"A-01","kind":"defective"}`}},
		{code: "user_exists", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"auditor-user","role":"auditor"}`}},
		{code: "document_exists", req: post(RoleProcurement, po("P-NONE", "")), setup: mkPO(po("P-NONE", ""))},
		{code: "document_closed", req: post(RoleProcurement, poReceipt("P-NONE", "", "")),
			setup: mkPO(po("P-NONE", ""), `{"type":"po-closed","ref":"PO-1","note":"cancelled"}`)},
		{code: "not_on_order", req: post(RoleProcurement, poReceipt("P-LOT", "L1", "")), setup: mkPO(po("P-NONE", ""))},
		{code: "wrong_lot", req: post(RoleProcurement, poReceipt("P-LOT", "L1", "")), setup: mkPO(po("P-LOT", "L2"))},
		{code: "lot_expired", req: post(RoleProcurement, poReceipt("P-LOT", "L0", "2020-01-01")), setup: mkPO(po("P-LOT", ""))},
		{code: "over_tolerance", req: post(RoleProcurement, strings.Replace(poReceipt("P-NONE", "", ""), `"qty":1`, `"qty":2`, 1)), setup: mkPO(po("P-NONE", ""))},
		{code: "unknown_pallet", req: post(RoleStorekeeper, palletReceipt("395060001234567900", 1)), setup: withPO},
		{code: "pallet_mismatch", req: post(RoleStorekeeper, palletReceipt(seededPallet, 2)), setup: withPO},
		{code: "pallet_received", req: post(RoleStorekeeper, palletReceipt(seededPallet, 1)),
			setup: func(t *testing.T, f *fixture) {
				withPO(t, f)
				if w := f.do(post(RoleStorekeeper, palletReceipt(seededPallet, 1))); w.Code != 201 {
					t.Fatalf("first receipt of the pallet: %d %s", w.Code, w.Body)
				}
			}},
		{code: "not_on_transfer", setup: func(t *testing.T, f *fixture) { seedTransferSteps(t, f.store) },
			req: post(RoleStorekeeper, `{"type":"transfer-shipped","ref":"T-PICKED","lines":[{"sku":"P-LOT","qty":1,"from":"A-01","to":"TRANSIT-T-PICKED","lot":"L1"}]}`)},
		{code: "over_shipped", setup: func(t *testing.T, f *fixture) { seedTransferSteps(t, f.store) },
			req: post(RoleStorekeeper, `{"type":"transfer-shipped","ref":"T-PICKED","lines":[{"sku":"P-NONE","qty":1,"from":"A-01","to":"TRANSIT-T-PICKED"}]}`)},
		{code: "transfer_state", setup: func(t *testing.T, f *fixture) { seedTransferSteps(t, f.store) },
			req: req{method: "POST", path: "/api/v1/transfers/T-PICKED/approve", role: RolePlanner, body: `{}`}},
		{code: "self_approval", setup: func(t *testing.T, f *fixture) {
			if w := f.do(req{method: "POST", path: "/api/v1/transfers", role: RolePlanner,
				body: `{"number":"T-1","from":"DEPOT-T","to":"DEPOT-B","lines":[{"sku":"P-NONE","qty":1}]}`}); w.Code != 201 {
				t.Fatalf("setup: %d %s", w.Code, w.Body)
			}
		}, req: req{method: "POST", path: "/api/v1/transfers/T-1/approve", role: RolePlanner, body: `{}`}},
		{code: "not_on_work_order", req: issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-LOT","lot":"L1"}`), setup: mkWO},
		{code: "over_pick", req: issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":3}`), setup: mkWO},
		{code: "not_issued", req: returnReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":1,"condition":"good","to":"A-01"}`), setup: mkWO},
		// No role posts signals; the reorder watcher meets these codes, and
		// the API maps them should a store answer one.
		{code: "reorder_signal_stale", req: post(RoleAdmin, receipt),
			store: func(f *fixture) Store {
				return &failingStore{Store: f.store, appendErr: &inventory.Error{Code: inventory.CodeSignalStale,
					Field: "signal.armedSeq", Msg: "P-NONE was armed by event 13, not 1"}}
			}},
		{code: "reorder_signal_open", req: post(RoleAdmin, receipt),
			store: func(f *fixture) Store {
				return &failingStore{Store: f.store, appendErr: &inventory.Error{Code: inventory.CodeSignalOpen,
					Field: "signal.sku", Msg: "signal 14 of P-NONE is open: not repeated until the position recovers"}}
			}},
		{code: "not_in_scope", req: countReq(RoleStorekeeper, "C-1/entries", `{"bin":"Q-01"}`), setup: mkCount(`{"number":"C-1","scope":{"zone":"A"}}`)},
		{code: "already_counted", req: countReq(RoleStorekeeper, "C-1/entries", `{"bin":"A-02","items":[{"sku":"P-SER","qty":1,"serials":["S1"]}]}`),
			setup: mkCount(`{"number":"C-1","scope":{"zone":"A"}}`, `{"bin":"A-01","items":[{"sku":"P-SER","qty":1,"serials":["S1"]}]}`)},
		{code: "not_a_counter", req: countReq(RoleStorekeeper, "C-1/entries", `{"bin":"A-01"}`), setup: mkCount(`{"number":"C-1","scope":{"zone":"A"},"counters":["someone"]}`)},
		{code: "approver_counted", req: countReq(RoleStorekeeper, "C-1/approve", `{}`), setup: mkCount(`{"number":"C-1","scope":{"zone":"A"}}`, `{"bin":"A-01"}`)},
		{code: "not_counted", req: countReq(RoleStorekeeper, "C-1/approve", `{}`), setup: mkCount(`{"number":"C-1","scope":{"zone":"A"}}`)},
		{code: "store_closed", req: req{method: "GET", path: "/api/v1/stock", role: RoleAuditor},
			setup: func(t *testing.T, f *fixture) { f.store.Close() }},
		{code: "internal", req: post(RoleStorekeeper, receipt),
			store: func(f *fixture) Store {
				return &failingStore{Store: f.store, appendErr: errors.New("write /var/lib/partsedge/000042.vlog: input/output error")}
			}},
	}
}

// po is a purchase order PO-1 for one unit of sku, of lot when set.
func po(sku, lot string) string {
	return `{"type":"po-created","ref":"PO-1","order":{"supplier":"ACME","lines":[{"line":1,"sku":"` + sku + `","qty":1,"lot":"` + lot + `"}]}}`
}

// poReceipt receives one unit of sku into A-01 against PO-1.
func poReceipt(sku, lot, expiry string) string {
	l := `{"sku":"` + sku + `","qty":1,"to":"A-01"`
	if lot != "" {
		l += `,"lot":"` + lot + `"`
	}
	if expiry != "" {
		l += `,"expiry":"` + expiry + `"`
	}
	return `{"type":"receipt","ref":"PO-1","lines":[` + l + `}]}`
}

// mkPO posts the bodies as procurement, each of which must be accepted.
func mkPO(bodies ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		for _, b := range bodies {
			if w := f.do(post(RoleProcurement, b)); w.Code != 201 {
				t.Fatalf("setup %s: %d %s", b, w.Code, w.Body)
			}
		}
	}
}

// countReq posts body to /api/v1/counts/{rest} as role.
func countReq(role, rest, body string) req {
	return req{method: "POST", path: "/api/v1/counts/" + rest, role: role, body: body}
}

// mkCount opens a count session as the planner and posts entries to it as
// the storekeeper; each must be accepted.
func mkCount(session string, entries ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		if w := f.do(req{method: "POST", path: "/api/v1/counts", role: RolePlanner, body: session}); w.Code != 201 {
			t.Fatalf("open %s: %d %s", session, w.Code, w.Body)
		}
		for _, e := range entries {
			if w := f.do(countReq(RoleStorekeeper, "C-1/entries", e)); w.Code != 201 {
				t.Fatalf("entry %s: %d %s", e, w.Code, w.Body)
			}
		}
	}
}

// TestProblemGoldens pins every problem body byte for byte: clients parse
// them, so a change must be deliberate (go test ./api -run Golden -update).
func TestProblemGoldens(t *testing.T) {
	seen := map[string]bool{}
	for _, pc := range goldenProblems() {
		seen[pc.code] = true
		t.Run(pc.code, func(t *testing.T) {
			f := newFixture(t)
			seed(t, f.store)
			if pc.store != nil {
				f.srv = newServer(Config{Store: pc.store(f), Clock: f.clock})
			}
			if pc.setup != nil {
				pc.setup(t, f)
			}
			w := f.do(pc.req)
			p := decodeProblem(t, w)
			if p.Code != pc.code || w.Code != wantStatus[pc.code] {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body, wantStatus[pc.code], pc.code)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, w.Body.Bytes(), "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "problems", pc.code+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("problem body changed:\n%s\nwant:\n%s", pretty.Bytes(), want)
			}
		})
	}
	for code := range wantStatus {
		if !seen[code] {
			t.Errorf("no golden case answers %s", code)
		}
	}
}

func TestInternalErrorsStayInTheLog(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	f.srv = newServer(Config{Store: &failingStore{Store: f.store,
		appendErr: errors.New("write /var/lib/partsedge/000042.vlog: input/output error")}, Clock: f.clock, Log: log})
	w := f.do(post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`))
	if w.Code != 500 || strings.Contains(w.Body.String(), "vlog") {
		t.Errorf("answer %d %s leaks or misses", w.Code, w.Body)
	}
	if !strings.Contains(logged.String(), "000042.vlog") {
		t.Errorf("the log lacks the cause: %s", logged.String())
	}
}

func TestPanicsBecomeInternalErrors(t *testing.T) {
	f := newFixture(t)
	var logged bytes.Buffer
	f.srv = newServer(Config{Store: &failingStore{Store: f.store, panicPart: true}, Clock: f.clock,
		Log: slog.New(slog.NewTextHandler(&logged, nil))})
	w := f.do(req{method: "GET", path: "/api/v1/parts/P-1", role: RoleAuditor})
	if w.Code != 500 || decodeProblem(t, w).Code != "internal" || strings.Contains(w.Body.String(), "exploded") {
		t.Errorf("panic answered %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logged.String(), "part lookup exploded") {
		t.Errorf("the log lacks the panic: %s", logged.String())
	}
	// The server carries on.
	if w := f.do(req{method: "GET", path: "/api/v1/status", role: RoleAuditor}); w.Code != 200 {
		t.Errorf("after a panic: %d", w.Code)
	}
}

// TestNoStaleProblemGoldens: the golden directory holds exactly the cases.
func TestNoStaleProblemGoldens(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "problems"))
	if err != nil {
		t.Fatal(err)
	}
	var files, cases []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".json"))
	}
	for _, pc := range goldenProblems() {
		cases = append(cases, pc.code)
	}
	slices.Sort(cases)
	if !slices.Equal(files, cases) {
		t.Errorf("golden files %v, cases %v", files, cases)
	}
}

// TestEveryTitleIsTranslated: every title this API's table can give, the
// fallback included, has its Simplified and Traditional Chinese text in
// api/internal/i18n/catalog, so a translator's file is complete.
func TestEveryTitleIsTranslated(t *testing.T) {
	titles := map[string]bool{}
	for code := range wantStatus {
		_, title := statusOf(inventory.Code(code))
		titles[title] = true
	}
	_, fallback := statusOf("a_code_no_table_has")
	titles[fallback] = true
	var want []string
	for title := range titles {
		want = append(want, title)
	}
	for lang, missing := range i18n.Default().Missing(want) {
		for _, m := range missing {
			t.Errorf("catalog/%s.json has no translation of the title %q", lang, m)
		}
	}
}
