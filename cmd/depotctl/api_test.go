package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// seed puts a small depot into st: three parts (untracked, lot, serial),
// four locations and a few movements.
func seed(t *testing.T, st *inventory.Store) {
	t.Helper()
	cmds := []inventory.Command{
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "P1", Description: "Fan 120mm", GTINs: []string{"4006381333931"}, Aliases: []string{"FAN-120"}}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "P2", Description: "Thermal paste", Unit: "ml", Tracking: inventory.TrackLot}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "P3", Description: "Controller board", Tracking: inventory.TrackSerial}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A-01", Zone: "A"}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A-02", Zone: "A"}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "Q-01", Kind: inventory.KindQuarantine}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "DEF", Kind: inventory.KindDefective}},
		{Type: inventory.EvReceipt, Ref: "PO-1", Lines: []inventory.Line{
			{SKU: "P1", Qty: 10, To: "A-01"},
			{SKU: "P2", Qty: 500, To: "A-02", Lot: "L1", Expiry: "2027-01-01"},
			{SKU: "P3", Qty: 3, To: "A-01", Serials: []string{"S1", "S2", "S3"}},
		}},
		{Type: inventory.EvMove, Lines: []inventory.Line{{SKU: "P1", Qty: 3, From: "A-01", To: "A-02"}}},
		{Type: inventory.EvReserve, Ref: "WO-7", Lines: []inventory.Line{{SKU: "P1", Qty: 2, Location: "A-01"}}},
		{Type: inventory.EvIssue, Ref: "WO-7", Lines: []inventory.Line{{SKU: "P3", Qty: 1, From: "A-01", Serials: []string{"S2"}}}},
		{Type: inventory.EvMove, Lines: []inventory.Line{{SKU: "P3", Qty: 1, From: "A-01", To: "A-02", Serials: []string{"S1"}}}},
	}
	for _, c := range cmds {
		c.Actor = "seed"
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s: %v", c.Type, err)
		}
	}
}

// fixture is a seeded store behind the test API, and the environment that
// points depotctl at it.
func fixture(t *testing.T) (*testAPI, map[string]string) {
	st := openTestStore(t, t.TempDir())
	seed(t, st)
	api := newTestAPI(t, st)
	return api, map[string]string{"PARTSEDGE_SERVER": api.srv.URL, "PARTSEDGE_TOKEN": testAdminToken}
}

func mustRun(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	r := runCLI(t, env, stdin, args...)
	if r.code != 0 {
		t.Fatalf("depotctl %q: %v", args, r)
	}
	return r
}

func TestStockOutputs(t *testing.T) {
	_, env := fixture(t)
	for _, f := range []string{"table", "csv", "json"} {
		r := mustRun(t, env, "", "stock", "--format", f)
		golden(t, "stock."+f+".golden", r.stdout)
	}
	// The default is the table.
	if r := mustRun(t, env, "", "stock"); !strings.HasPrefix(r.stdout, "SKU  ") {
		t.Errorf("default format: %q", r.stdout)
	}
	r := mustRun(t, env, "", "stock", "--sku", "P1", "--format", "csv")
	if n := strings.Count(r.stdout, "\n"); n != 3 {
		t.Errorf("stock --sku P1: %d csv lines, want a header and 2 rows:\n%s", n, r.stdout)
	}
	// Just after the receipt (event 8) all of P1 was in A-01, nothing reserved.
	r = mustRun(t, env, "", "stock", "--sku", "P1", "--as-of", "8", "--format", "json")
	var got struct {
		Items []inventory.Balance `json:"items"`
		Seq   uint64              `json:"seq"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := []inventory.Balance{{SKU: "P1", Location: "A-01", OnHand: 10, Available: 10}}
	if got.Seq != 8 || len(got.Items) != 1 || got.Items[0] != want[0] {
		t.Errorf("--as-of 8: %+v", got)
	}
	r = mustRun(t, env, "", "stock", "--sku", "NONE")
	if r.stdout != "SKU  LOCATION  LOT  SERIAL  ON HAND  RESERVED  AVAILABLE\n" || !strings.Contains(r.stderr, "no stock matches") {
		t.Errorf("empty stock: %v", r)
	}
}

func TestPostPassesTheIdempotencyKey(t *testing.T) {
	api, env := fixture(t)
	head := api.st.Head().Seq
	args := []string{"post", "receipt", "--ref", "PO-2", "--line", "sku=P1,qty=4,to=A-02", "--key", "retry-me-1"}
	first := mustRun(t, env, "", args...)
	if !strings.Contains(first.stdout, "receipt") || !strings.Contains(first.stdout, "P1 4 ->A-02") {
		t.Errorf("first post: %v", first)
	}
	if strings.Contains(first.stderr, "used before") {
		t.Errorf("first post says replayed: %v", first)
	}
	again := mustRun(t, env, "", args...)
	if !strings.Contains(again.stderr, "key retry-me-1 was used before: this is event 13") {
		t.Errorf("repeat: %v", again)
	}
	if got := api.st.Head().Seq; got != head+1 {
		t.Errorf("head after a post and its repeat: %d, want %d", got, head+1)
	}
	if keys := api.receivedKeys(); len(keys) != 2 || keys[0] != "retry-me-1" || keys[1] != "retry-me-1" {
		t.Errorf("keys received: %q", keys)
	}

	// Without --key, a fresh key is made, sent and shown so a retry can reuse it.
	r := mustRun(t, env, "", "post", "count-adjustment", "--line", "sku=P1,qty=1,location=A-02", "--format", "json")
	keys := api.receivedKeys()
	sent := keys[len(keys)-1]
	if !strings.HasPrefix(sent, "depotctl-") || !strings.Contains(r.stderr, "idempotency key "+sent+" (to retry safely: --key "+sent+")") {
		t.Errorf("generated key %q, stderr %q", sent, r.stderr)
	}
	var ans struct{ Event inventory.Event }
	if err := json.Unmarshal([]byte(r.stdout), &ans); err != nil || ans.Event.IdempotencyKey != sent || ans.Event.Actor != "admin" {
		t.Errorf("answer %+v, %v", ans, err)
	}

	// From a file.
	file := writeFile(t, "cmd.json", `{"type":"scrap","note":"dropped","lines":[{"sku":"P1","qty":1,"from":"A-02"}]}`)
	r = mustRun(t, env, "", "post", "-f", file, "--key", "scrap-1")
	if ev, err := api.st.Event(api.st.Head().Seq); err != nil || ev.Type != inventory.EvScrap || ev.IdempotencyKey != "scrap-1" || ev.Note != "dropped" {
		t.Errorf("post -f: %+v %v\n%v", ev, err, r)
	}
}

func TestRefusalsExitTwo(t *testing.T) {
	api, env := fixture(t)
	head := api.st.Head().Seq
	// The last line is "depotctl: <code>: <detail> (<field>)"; the details
	// are the store's words, so only the code and field are pinned here.
	cases := []struct {
		args        []string
		code, field string
	}{
		{[]string{"post", "issue", "--ref", "WO-8", "--line", "sku=P1,qty=99,from=A-01"}, "insufficient_stock", "lines[0].qty"},
		{[]string{"post", "receipt", "--line", "sku=NOPE,qty=1,to=A-01"}, "unknown_part", "lines[0].sku"},
		{[]string{"post", "move", "--line", "sku=P3,qty=1,from=A-01,to=A-02"}, "tracking_mismatch", "lines[0].serials"},
		{[]string{"post", "issue", "--line", "sku=P1,qty=1,from=A-01"}, "invalid_request", "ref"},
		{[]string{"parts", "get", "NOPE"}, "not_found", "part"},
		{[]string{"locations", "get", "NOPE"}, "not_found", "location"},
		{[]string{"serial", "P3", "S9"}, "not_found", "serial"},
		{[]string{"events", "999"}, "not_found", "event"},
	}
	for _, c := range cases {
		r := runCLI(t, env, "", c.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		last := lines[len(lines)-1]
		if r.code != 2 || !strings.HasPrefix(last, "depotctl: "+c.code+": ") || !strings.HasSuffix(last, " ("+c.field+")") {
			t.Errorf("depotctl %q: want exit 2 and a %s line naming %s; got %v", c.args, c.code, c.field, r)
		}
	}
	// A key reused for another request is refused, not replayed.
	mustRun(t, env, "", "post", "count-adjustment", "--line", "sku=P1,qty=1,location=A-02", "--key", "k-1")
	r := runCLI(t, env, "", "post", "count-adjustment", "--line", "sku=P1,qty=2,location=A-02", "--key", "k-1")
	if r.code != 2 || !strings.Contains(r.stderr, "depotctl: idempotency_key_reused: ") {
		t.Errorf("reused key: %v", r)
	}
	if got := api.st.Head().Seq; got != head+1 {
		t.Errorf("refusals wrote events: head %d, want %d", got, head+1)
	}
}

func TestFailuresExitOne(t *testing.T) {
	r := runCLI(t, map[string]string{"PARTSEDGE_SERVER": deadServer(t)}, "", "status")
	if r.code != 1 || !strings.Contains(r.stderr, "depotctl: cannot reach depotd at http://127.0.0.1:") ||
		!strings.Contains(r.stderr, "connection refused") {
		t.Errorf("unreachable: %v", r)
	}

	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path == "/api/v1/status" {
			writeTestProblem(w, 500, "internal", "the disk is on fire", "")
			return
		}
		http.Error(w, "<html>bad gateway</html>", 502)
	}))
	defer srv.Close()
	env := map[string]string{"PARTSEDGE_SERVER": srv.URL}
	r = runCLI(t, env, "", "status")
	if r.code != 1 || r.stderr != "depotctl: internal: the disk is on fire\n" {
		t.Errorf("500: %v", r)
	}
	// A 502 is retried (this is a GET), then reported with what came back.
	calls.Store(0)
	r = runCLI(t, env, "", "stock")
	if r.code != 1 || !strings.Contains(r.stderr, "depotctl: http_502: <html>bad gateway</html>") || calls.Load() != 3 {
		t.Errorf("502 after %d calls: %v", calls.Load(), r)
	}

	// No token: 401 is a failure with a hint, not bad input.
	_, env = fixture(t)
	delete(env, "PARTSEDGE_TOKEN")
	r = runCLI(t, env, "", "stock")
	if r.code != 1 || !strings.Contains(r.stderr, "depotctl: unauthenticated: ") || !strings.Contains(r.stderr, "--token") {
		t.Errorf("401: %v", r)
	}
	// PARTSEDGE_ADMIN_TOKEN stands in for PARTSEDGE_TOKEN; --token wins over both.
	env["PARTSEDGE_ADMIN_TOKEN"] = testAdminToken
	mustRun(t, env, "", "status")
	if r := runCLI(t, env, "", "status", "--token", "wrong-token-0123456789"); r.code != 1 {
		t.Errorf("--token did not win: %v", r)
	}
}

func TestEventsFollowPages(t *testing.T) {
	api, env := fixture(t)
	api.pageCap = 5 // 12 events: pages of 5, 5, 2
	r := mustRun(t, env, "", "events", "--format", "json")
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	var seqs []uint64
	for sc.Scan() {
		var ev inventory.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		seqs = append(seqs, ev.Seq)
	}
	if len(seqs) != 12 || seqs[0] != 1 || seqs[11] != 12 {
		t.Errorf("events over pages: %v", seqs)
	}
	r = mustRun(t, env, "", "events", "--after", "3", "--limit", "6", "--format", "json")
	if n := strings.Count(r.stdout, "\n"); n != 6 || !strings.HasPrefix(r.stdout, `{"seq":4,`) {
		t.Errorf("--after 3 --limit 6: %d lines\n%s", n, r.stdout)
	}
	r = mustRun(t, env, "", "events")
	golden(t, "events.table.golden", r.stdout)
	r = mustRun(t, env, "", "events", "11")
	golden(t, "event.11.golden", r.stdout)
}

func TestSerialHistory(t *testing.T) {
	_, env := fixture(t)
	golden(t, "serial.S1.golden", mustRun(t, env, "", "serial", "P3", "S1").stdout)
	golden(t, "serial.S2.golden", mustRun(t, env, "", "serial", "P3", "S2").stdout)
}

func TestPartsAndLocations(t *testing.T) {
	api, env := fixture(t)
	api.pageCap = 2
	r := mustRun(t, env, "", "parts", "list")
	golden(t, "parts.list.golden", r.stdout)
	r = mustRun(t, env, "", "parts", "list", "--after", "P1", "--format", "json")
	var ps []inventory.Part
	if err := json.Unmarshal([]byte(r.stdout), &ps); err != nil || len(ps) != 2 || ps[0].SKU != "P2" {
		t.Errorf("parts list --after P1: %v %v", ps, err)
	}
	// A GTIN-13 finds the part that holds it as a GTIN-14.
	r = mustRun(t, env, "", "parts", "lookup", "4006381333931")
	if !strings.Contains(r.stdout, "sku            P1\n") {
		t.Errorf("lookup: %v", r)
	}
	file := writeFile(t, "parts.json", `[{"sku":"P4","description":"Belt","unit":"mm"},{"sku":"P5","supersededBy":"P4"}]`)
	r = mustRun(t, env, "", "parts", "put", "-f", file)
	if r.stdout != "SKU  EVENT\nP4      13\nP5      14\n" {
		t.Errorf("parts put: %v", r)
	}
	if p, err := api.st.Part("P5"); err != nil || p.SupersededBy != "P4" || p.Unit != "ea" {
		t.Errorf("P5 stored as %+v, %v", p, err)
	}
	// The second part is refused: the first stays, and the run says so.
	file = writeFile(t, "parts.json", `[{"sku":"P6"},{"sku":"P7","aliases":["FAN-120"]}]`)
	r = runCLI(t, env, "", "parts", "put", "-f", file)
	if r.code != 2 || !strings.Contains(r.stderr, `1 of 2 parts defined; stopped at part "P7"`) ||
		!strings.Contains(r.stderr, "depotctl: alias_taken: ") || !strings.Contains(r.stdout, "P6") {
		t.Errorf("partial put: %v", r)
	}

	r = runCLI(t, env, `{"code":"VAN-1","kind":"van","description":"Engineer Li"}`, "locations", "put", "-f", "-")
	if r.code != 0 || r.stdout != "CODE   EVENT\nVAN-1     16\n" {
		t.Errorf("locations put: %v", r)
	}
	r = mustRun(t, env, "", "locations", "list")
	golden(t, "locations.list.golden", r.stdout)
	r = mustRun(t, env, "", "locations", "get", "Q-01", "--format", "json")
	var l inventory.Location
	if err := json.Unmarshal([]byte(r.stdout), &l); err != nil || l.Kind != inventory.KindQuarantine {
		t.Errorf("locations get: %+v %v", l, err)
	}
}

func TestUsers(t *testing.T) {
	_, env := fixture(t)
	r := mustRun(t, env, "", "users", "add", "li", "--role", "storekeeper")
	tok := strings.TrimSpace(r.stdout)
	if len(tok) < 16 || strings.Contains(tok, "\n") || !strings.Contains(r.stderr, "shown once") {
		t.Fatalf("users add: %v", r)
	}
	li := map[string]string{"PARTSEDGE_SERVER": env["PARTSEDGE_SERVER"], "PARTSEDGE_TOKEN": tok}
	mustRun(t, li, "", "status")
	r = mustRun(t, env, "", "users", "token", "li")
	tok2 := strings.TrimSpace(r.stdout)
	if tok2 == tok || len(tok2) < 16 {
		t.Errorf("users token: %v", r)
	}
	mustRun(t, env, "", "status", "--token", tok2)
	r = mustRun(t, env, "", "users", "list")
	if !strings.HasPrefix(r.stdout, "NAME  ROLE         DISABLED  CREATED\nli    storekeeper  false     2026-03-01T08:00") {
		t.Errorf("users list: %v", r)
	}
	if r := runCLI(t, env, "", "users", "token", "nobody"); r.code != 2 {
		t.Errorf("token for an unknown user: %v", r)
	}
}

func TestStatus(t *testing.T) {
	api, env := fixture(t)
	r := mustRun(t, env, "", "status")
	if !strings.Contains(r.stdout, "depot    D1\nseq      12\nepoch    1\nhash     "+api.st.Head().Hash) {
		t.Errorf("status: %v", r)
	}
	// Flags before the command are shared with it.
	r = mustRun(t, map[string]string{}, "", "--server", api.srv.URL, "--token", testAdminToken, "status", "--format", "json")
	var s statusInfo
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Depot != "D1" || s.Seq != 12 {
		t.Errorf("status json: %+v %v", s, err)
	}
}

func TestOnlineVerifyAndBackup(t *testing.T) {
	api, env := fixture(t)
	r := mustRun(t, env, "", "verify")
	if !strings.Contains(r.stdout, "result    OK") {
		t.Errorf("verify: %v", r)
	}
	file := filepath.Join(t.TempDir(), "d1.bak")
	r = mustRun(t, env, "", "backup", "-o", file)
	if !strings.Contains(r.stderr, "backup: 0 B") || !strings.Contains(r.stderr, "backup: depot D1, seq 12, epoch 1: ") {
		t.Errorf("progress: %q", r.stderr)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := inventory.CheckBackup(f)
	f.Close()
	if err != nil || hdr.Depot != "D1" || hdr.Seq != 12 {
		t.Fatalf("backup file: %+v %v", hdr, err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %v, want 0600", fi.Mode().Perm())
	}
	// It restores, and the restored store holds what the depot held.
	dir := filepath.Join(t.TempDir(), "restored")
	mustRun(t, env, "", "restore", "--data", dir, file)
	assertSameLedger(t, api.st, dir, api.st.Head().Epoch+1)

	r = runCLI(t, env, "", "backup", "-o", file)
	if r.code != 2 {
		t.Errorf("backup over an existing file: %v", r)
	}
	mustRun(t, env, "", "backup", "-o", file, "--force")
}

// A backup stream that ends cleanly but short (depotd failed after sending
// its headers) is never kept.
func TestOnlineBackupCutShort(t *testing.T) {
	st := openTestStore(t, t.TempDir())
	seed(t, st)
	var full strings.Builder
	if _, err := st.Backup(&full, nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte(full.String()[:full.Len()/2]))
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "d1.bak")
	r := runCLI(t, map[string]string{"PARTSEDGE_SERVER": srv.URL}, "", "backup", "-o", file)
	if r.code != 1 || !strings.Contains(r.stderr, "the backup depotd sent is incomplete") {
		t.Errorf("cut-short backup: %v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// assertSameLedger opens the store in dir and checks it holds st's events
// and balances, under the epoch wanted.
func assertSameLedger(t *testing.T, st *inventory.Store, dir string, epoch uint32) {
	t.Helper()
	got, err := inventory.Open(inventory.Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if got.Depot() != st.Depot() || got.Head().Epoch != epoch || got.Head().Seq != st.Head().Seq || got.Head().Hash != st.Head().Hash {
		t.Errorf("restored head %+v of %s, want %+v with epoch %d", got.Head(), got.Depot(), st.Head(), epoch)
	}
	want, _ := st.Events(0, 0)
	have, _ := got.Events(0, 0)
	wb, _ := json.Marshal(want)
	hb, _ := json.Marshal(have)
	if len(want) == 0 || string(wb) != string(hb) {
		t.Errorf("restored events differ:\n%s\n%s", hb, wb)
	}
	wantStock, _ := st.Stock(inventory.StockFilter{}, 0)
	haveStock, _ := got.Stock(inventory.StockFilter{}, 0)
	ws, _ := json.Marshal(wantStock)
	hs, _ := json.Marshal(haveStock)
	if len(wantStock) == 0 || string(ws) != string(hs) {
		t.Errorf("restored balances differ:\n%s\n%s", hs, ws)
	}
}
