package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// testAPI is a small, faithful stand-in for depotd's API (the routes
// depotctl uses, as the contract describes them) over a real store, until
// depotd exists to test against.
type testAPI struct {
	st  *inventory.Store
	srv *httptest.Server

	mu       sync.Mutex
	keys     []string // Idempotency-Keys received, in order
	pageCap  int      // when > 0, lists return at most this many items per page
	requests int
}

const testAdminToken = "admin-token-0123456789abcdef"

// stepClock advances one second per reading, so event times and hashes are
// the same on every run (the golden files depend on it).
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func openTestStore(t *testing.T, dir string) *inventory.Store {
	t.Helper()
	st, err := inventory.Open(inventory.Options{
		Dir: dir, Depot: "D1", GCInterval: -1,
		Clock: &stepClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newTestAPI(t *testing.T, st *inventory.Store) *testAPI {
	api := &testAPI{st: st}
	mux := http.NewServeMux()
	h := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, actor string) (int, any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			api.mu.Lock()
			api.requests++
			api.mu.Unlock()
			actor, ok := api.auth(r)
			if !ok {
				writeTestProblem(w, 401, "unauthenticated", "a valid bearer token is required", "")
				return
			}
			status, body, err := fn(w, r, actor)
			if err != nil {
				status := 500
				code := inventory.CodeOf(err)
				if code != "" {
					status = statusOf(code)
				}
				var ie *inventory.Error
				field, detail := "", err.Error()
				if errors.As(err, &ie) {
					field, detail = ie.Field, ie.Msg
				}
				writeTestProblem(w, status, string(code), detail, field)
				return
			}
			if body == nil {
				return // streamed
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(body)
		})
	}
	q := func(r *http.Request, k string) string { return r.URL.Query().Get(k) }
	h("GET /api/v1/status", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		hd := st.Head()
		return 200, map[string]any{"depot": st.Depot(), "seq": hd.Seq, "epoch": hd.Epoch, "hash": hd.Hash, "version": "test"}, nil
	})
	h("GET /api/v1/parts", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		ps, err := st.Parts(inventory.Page{After: q(r, "after"), Limit: api.limit(r)})
		return 200, ps, err
	})
	h("GET /api/v1/parts/lookup", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		p, err := st.ResolveCode(q(r, "code"))
		return 200, p, err
	})
	h("GET /api/v1/parts/{sku}", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		p, err := st.Part(r.PathValue("sku"))
		return 200, p, err
	})
	h("POST /api/v1/parts", func(w http.ResponseWriter, r *http.Request, actor string) (int, any, error) {
		var p inventory.Part
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
			return 0, nil, &inventory.Error{Code: inventory.CodeInvalid, Msg: err.Error()}
		}
		res, err := api.append(w, r, inventory.Command{Type: inventory.EvPartDefined, Part: &p, Actor: actor})
		return 201, map[string]any{"part": res.Event.Part, "event": res.Event}, err
	})
	h("GET /api/v1/locations", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		// Locations come as depotd sends its catalogue pages, an object with
		// a "next" cursor; parts as the bare array the first contract had.
		limit := api.limit(r)
		ls, err := st.Locations(inventory.Page{After: q(r, "after"), Limit: limit + 1})
		body := map[string]any{"items": ls}
		if len(ls) > limit {
			body["items"], body["next"] = ls[:limit], ls[limit-1].Code
		}
		return 200, body, err
	})
	h("GET /api/v1/locations/{code}", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		l, err := st.Location(r.PathValue("code"))
		return 200, l, err
	})
	h("POST /api/v1/locations", func(w http.ResponseWriter, r *http.Request, actor string) (int, any, error) {
		var l inventory.Location
		if err := json.NewDecoder(r.Body).Decode(&l); err != nil {
			return 0, nil, &inventory.Error{Code: inventory.CodeInvalid, Msg: err.Error()}
		}
		res, err := api.append(w, r, inventory.Command{Type: inventory.EvLocationDefined, Location: &l, Actor: actor})
		return 201, map[string]any{"location": res.Event.Location, "event": res.Event}, err
	})
	h("GET /api/v1/stock", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		f := inventory.StockFilter{SKU: q(r, "sku"), Location: q(r, "location"), Lot: q(r, "lot"), Serial: q(r, "serial")}
		seq := st.Head().Seq
		var rows []inventory.Balance
		var err error
		if s := q(r, "asOf"); s != "" {
			if seq, err = strconv.ParseUint(s, 10, 64); err != nil {
				return 0, nil, &inventory.Error{Code: inventory.CodeInvalid, Field: "asOf", Msg: "not a seq"}
			}
			rows, err = st.StockAt(seq, f)
		} else {
			rows, err = st.Stock(f, api.limit(r))
		}
		return 200, map[string]any{"items": rows, "seq": seq}, err
	})
	h("GET /api/v1/events", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		after, _ := strconv.ParseUint(q(r, "after"), 10, 64)
		limit := api.limit(r)
		evs, err := st.Events(after, limit)
		body := map[string]any{"items": evs}
		if len(evs) == limit {
			body["next"] = evs[len(evs)-1].Seq
		}
		return 200, body, err
	})
	h("GET /api/v1/events/{seq}", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		seq, _ := strconv.ParseUint(r.PathValue("seq"), 10, 64)
		ev, err := st.Event(seq)
		return 200, ev, err
	})
	h("POST /api/v1/events", func(w http.ResponseWriter, r *http.Request, actor string) (int, any, error) {
		var cmd inventory.Command
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cmd); err != nil {
			return 0, nil, &inventory.Error{Code: inventory.CodeInvalid, Msg: err.Error()}
		}
		cmd.Actor = actor
		res, err := api.append(w, r, cmd)
		return 201, map[string]any{"event": res.Event}, err
	})
	h("GET /api/v1/serials/{sku}/{serial}", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		sh, err := st.SerialHistory(r.PathValue("sku"), r.PathValue("serial"))
		return 200, sh, err
	})
	h("GET /api/v1/users", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		us, err := st.Users()
		return 200, map[string]any{"items": us}, err // the object form of a list
	})
	h("POST /api/v1/users", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		var u inventory.User
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
			return 0, nil, &inventory.Error{Code: inventory.CodeInvalid, Msg: err.Error()}
		}
		if err := st.PutUser(u); err != nil {
			return 0, nil, err
		}
		tok, err := api.token(u.Name)
		u, _ = st.User(u.Name)
		return 201, map[string]any{"user": u, "token": tok}, err
	})
	h("POST /api/v1/users/{name}/tokens", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		tok, err := api.token(r.PathValue("name"))
		return 201, map[string]any{"token": tok}, err
	})
	h("POST /api/v1/admin/verify", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		rep, err := st.Verify(r.Context(), nil)
		return 200, rep, err
	})
	h("GET /api/v1/admin/backup", func(w http.ResponseWriter, r *http.Request, _ string) (int, any, error) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, err := st.Backup(w, nil)
		return 200, nil, err
	})
	api.srv = httptest.NewServer(mux)
	t.Cleanup(api.srv.Close)
	return api
}

func (api *testAPI) auth(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	if tok == testAdminToken {
		return "admin", true
	}
	u, err := api.st.UserByToken(tok)
	return u.Name, err == nil
}

func (api *testAPI) limit(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if n <= 0 || n > 1000 {
		n = 1000
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.pageCap > 0 {
		n = min(n, api.pageCap)
	}
	return n
}

func (api *testAPI) append(w http.ResponseWriter, r *http.Request, cmd inventory.Command) (inventory.Result, error) {
	cmd.IdempotencyKey = r.Header.Get("Idempotency-Key")
	api.mu.Lock()
	api.keys = append(api.keys, cmd.IdempotencyKey)
	api.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	res, err := api.st.Append(ctx, cmd)
	if err == nil && res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	return res, err
}

func (api *testAPI) token(name string) (string, error) {
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	return tok, api.st.AddToken(name, tok)
}

func (api *testAPI) receivedKeys() []string {
	api.mu.Lock()
	defer api.mu.Unlock()
	return append([]string(nil), api.keys...)
}

// statusOf is the mapping of domain codes to HTTP statuses the API uses.
func statusOf(c inventory.Code) int {
	switch c {
	case inventory.CodeInvalid:
		return 400
	case inventory.CodeNotFound:
		return 404
	case inventory.CodeTooLarge:
		return 413
	case inventory.CodeClosed:
		return 503
	case inventory.CodeInsufficientStock, inventory.CodeInsufficientReserve, inventory.CodeSerialConflict,
		inventory.CodeAliasTaken, inventory.CodeHasStock, inventory.CodeIdempotencyReuse:
		return 409
	}
	return 422
}

func writeTestProblem(w http.ResponseWriter, status int, code, detail, field string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type": "about:blank", "title": http.StatusText(status), "status": status,
		"detail": detail, "code": code, "field": field,
	})
}
