package hqapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/hq"
)

const orderToken = "s3cret-admin-token"

// api is hqd's API on a real HQ store.
type api struct {
	t  *testing.T
	h  *hq.HQ
	ts *httptest.Server
}

func newAPI(t *testing.T, depots ...string) *api {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	for _, d := range depots {
		b, _ := json.Marshal(replication.Status{V: 1, Depot: d, State: replication.StateOnline})
		if err := h.HandleStatus(d, b); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(New(Options{HQ: h, AdminToken: orderToken, Log: log}))
	t.Cleanup(ts.Close)
	return &api{t: t, h: h, ts: ts}
}

// do sends a request and decodes the answer into out (when not nil); it
// returns the status and, for a problem, its code.
func (a *api) do(method, path, body string, header map[string]string, out any) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.ts.URL+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+orderToken)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Type") == "application/problem+json" {
		var p Problem
		if err := json.Unmarshal(b, &p); err != nil {
			a.t.Fatalf("problem %s: %v", b, err)
		}
		return resp.StatusCode, p.Code
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, ""
}

const goodOrder = `{"from":"SRC","to":"DST","expected":"2026-12-01","lines":[{"sku":"PN","qty":4},{"sku":"PL","qty":2}],"note":"for the van fleet"}`

// TestTransferOrderRoutes: a planner's order is created once per
// Idempotency-Key and read back with its commands; every bad body or order
// is refused with its problem code and creates nothing.
func TestTransferOrderRoutes(t *testing.T) {
	a := newAPI(t, "SRC", "DST")
	key := map[string]string{"Idempotency-Key": "o-1"}
	var st hq.TransferOrderState
	if code, p := a.do("POST", "/api/v1/transfer-orders", goodOrder, key, &st); code != http.StatusCreated || p != "" {
		t.Fatalf("create: %d %s", code, p)
	}
	if st.Number != "HQ-1" || st.Planner != "admin" || st.Note != "for the van fleet" || len(st.Commands) != 3 || st.Status != hq.OrderQueued {
		t.Fatalf("created %+v", st)
	}
	var again hq.TransferOrderState
	if code, _ := a.do("POST", "/api/v1/transfer-orders", goodOrder, key, &again); code != http.StatusCreated || !reflect.DeepEqual(again, st) {
		t.Fatalf("repeat: %d %+v", code, again)
	}
	for _, tc := range []struct {
		name, body string
		header     map[string]string
		status     int
		code       string
	}{
		{"the key with another order", strings.Replace(goodOrder, `"qty":4`, `"qty":5`, 1), key, http.StatusConflict, string(inventory.CodeIdempotencyReuse)},
		{"not JSON", `{"from":`, nil, http.StatusBadRequest, string(CodeMalformedJSON)},
		{"an unknown field", strings.Replace(goodOrder, `"note"`, `"notes"`, 1), nil, http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"a qty as text", strings.Replace(goodOrder, `"qty":4`, `"qty":"4"`, 1), nil, http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"a fractional qty", strings.Replace(goodOrder, `"qty":4`, `"qty":4.5`, 1), nil, http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"two orders", goodOrder + goodOrder, nil, http.StatusBadRequest, string(CodeMalformedJSON)},
		{"a body too large", `{"note":"` + strings.Repeat("x", maxBody) + `"}`, nil, http.StatusUnprocessableEntity, string(inventory.CodeTooLarge)},
		{"an unknown depot", strings.Replace(goodOrder, `"DST"`, `"NOWHERE"`, 1), nil, http.StatusNotFound, string(hq.CodeUnknownDepot)},
		{"a zero qty", strings.Replace(goodOrder, `"qty":4`, `"qty":0`, 1), nil, http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"to itself", strings.Replace(goodOrder, `"DST"`, `"SRC"`, 1), nil, http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"no token", goodOrder, map[string]string{"Authorization": ""}, http.StatusUnauthorized, string(CodeUnauthenticated)},
	} {
		if code, p := a.do("POST", "/api/v1/transfer-orders", tc.body, tc.header, nil); code != tc.status || p != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, p, tc.status, tc.code)
		}
	}
	var list struct {
		TransferOrders []hq.TransferOrderState `json:"transferOrders"`
	}
	if code, _ := a.do("GET", "/api/v1/transfer-orders", "", nil, &list); code != http.StatusOK || len(list.TransferOrders) != 1 {
		t.Fatalf("list: %d %+v", code, list)
	}
	if code, _ := a.do("GET", "/api/v1/transfer-orders?after=HQ-1", "", nil, &list); code != http.StatusOK || len(list.TransferOrders) != 0 {
		t.Fatalf("after HQ-1: %d %+v", code, list)
	}
	var one hq.TransferOrderState
	if code, _ := a.do("GET", "/api/v1/transfer-orders/HQ-1", "", nil, &one); code != http.StatusOK || !reflect.DeepEqual(one, st) {
		t.Fatalf("HQ-1: %d %+v", code, one)
	}
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/transfer-orders/HQ-2", http.StatusNotFound, string(inventory.CodeNotFound)},
		{"/api/v1/transfer-orders?limit=0", http.StatusBadRequest, string(inventory.CodeInvalid)},
		{"/api/v1/transfer-orders?after=x", http.StatusBadRequest, string(inventory.CodeInvalid)},
	} {
		if code, p := a.do("GET", tc.path, "", nil, nil); code != tc.status || p != tc.code {
			t.Errorf("%s: %d %s", tc.path, code, p)
		}
	}
}

// TestPolicyAndPartRoutes: policies and parts go down as commands, which
// the depot's command list shows.
func TestPolicyAndPartRoutes(t *testing.T) {
	a := newAPI(t, "D1", "D2")
	var got struct {
		Seq      uint64            `json:"seq"`
		Commands map[string]uint64 `json:"commands"`
	}
	policy := `{"sku":"PN","method":"minmax","min":2,"max":10}`
	if code, p := a.do("POST", "/api/v1/depots/D1/reorder-policies", policy, map[string]string{"Idempotency-Key": "p"}, &got); code != http.StatusAccepted || got.Seq != 1 {
		t.Fatalf("policy: %d %s %+v", code, p, got)
	}
	if code, p := a.do("POST", "/api/v1/depots/NOWHERE/reorder-policies", policy, nil, nil); code != http.StatusNotFound || p != string(hq.CodeUnknownDepot) {
		t.Fatalf("policy to nowhere: %d %s", code, p)
	}
	if code, p := a.do("POST", "/api/v1/depots/D1/reorder-policies", `{"sku":"PN","maximum":3}`, nil, nil); code != http.StatusBadRequest || p != string(inventory.CodeInvalid) {
		t.Fatalf("policy with an unknown field: %d %s", code, p)
	}
	if code, p := a.do("POST", "/api/v1/parts", `{"part":{"sku":"PN","description":"fan motor"}}`, nil, &got); code != http.StatusAccepted || len(got.Commands) != 2 {
		t.Fatalf("part to all: %d %s %+v", code, p, got)
	}
	if code, p := a.do("POST", "/api/v1/parts", `{"depots":["D2"],"part":{"sku":"PL"}}`, nil, &got); code != http.StatusAccepted || got.Commands["D2"] != 2 {
		t.Fatalf("part to D2: %d %s %+v", code, p, got)
	}
	if code, p := a.do("POST", "/api/v1/parts", `{"depots":["D2"],"part":{"sku":"PL","price":3}}`, nil, nil); code != http.StatusBadRequest || p != string(inventory.CodeInvalid) {
		t.Fatalf("part with an unknown field: %d %s", code, p)
	}
	var cs struct {
		Commands []hq.CommandState `json:"commands"`
	}
	if code, _ := a.do("GET", "/api/v1/depots/D1/commands", "", nil, &cs); code != http.StatusOK || len(cs.Commands) != 2 ||
		cs.Commands[0].Command.Type != inventory.EvReorderPolicySet || cs.Commands[1].Command.Part.SKU != "PN" || cs.Commands[0].State != hq.CommandPending {
		t.Fatalf("D1's commands: %d %+v", code, cs)
	}
	if code, _ := a.do("GET", "/api/v1/depots/D1/commands?after=1&limit=1", "", nil, &cs); code != http.StatusOK || len(cs.Commands) != 1 || cs.Commands[0].Seq != 2 {
		t.Fatalf("after 1: %d %+v", code, cs)
	}
	if code, p := a.do("GET", "/api/v1/depots/NOWHERE/commands", "", nil, nil); code != http.StatusNotFound || p != string(hq.CodeUnknownDepot) {
		t.Fatalf("nowhere's commands: %d %s", code, p)
	}
}

// FuzzDecodeBodies: whatever a client sends as a transfer order, policy or
// part body either decodes into a value that encodes and decodes back to
// itself, or is refused as malformed, invalid (a wrong type or an unknown
// field, named) or too large; decoding never panics
// and never half-fills a value that is then used.
func FuzzDecodeBodies(f *testing.F) {
	f.Add([]byte(goodOrder))
	f.Add([]byte(`{"sku":"PN","method":"minmax","min":2,"max":10}`))
	f.Add([]byte(`{"depots":["D1"],"part":{"sku":"PN","gtins":["4006381333931"]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, fresh := range []func() any{
			func() any { return new(hq.TransferOrder) },
			func() any { return new(inventory.ReorderPolicy) },
			func() any { return new(PartsRequest) },
		} {
			v := fresh()
			err := decodeJSON(bytes.NewReader(body), v)
			if err != nil {
				var e *inventory.Error
				if !errors.As(err, &e) || (e.Code != CodeMalformedJSON && e.Code != inventory.CodeInvalid && e.Code != inventory.CodeTooLarge) {
					t.Fatalf("error %v", err)
				}
				continue
			}
			enc, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("a decoded body does not encode: %v", err)
			}
			// An empty list and no list encode alike (omitempty), so the
			// round trip is held to the encoding: what HQ would queue.
			back := fresh()
			if err := decodeJSON(bytes.NewReader(enc), back); err != nil {
				t.Fatalf("%s decodes to %+v, its encoding %s does not decode: %v", body, v, enc, err)
			}
			if again, err := json.Marshal(back); err != nil || !bytes.Equal(again, enc) {
				t.Fatalf("%s encodes to %s, decoded again to %s (%v)", body, enc, again, err)
			}
		}
	})
}
