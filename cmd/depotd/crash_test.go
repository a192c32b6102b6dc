package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/proctest"
)

var crashRounds = flag.Int("crash.rounds", 20, "kill -9 rounds in TestCrashKill9KeepsAcknowledgedEvents")

const crashToken = "crash-test-admin-token-0123456789"

// doJSON sends one request as a client of the daemon would: with its own
// context and client (for concurrent writers), and an idempotency key.
func doJSON(ctx context.Context, client *http.Client, method, url, key string, body any) (int, []byte, error) {
	return proctest.Do(ctx, client, method, url, crashToken, key, body)
}

type crashEvent struct {
	Seq            uint64 `json:"seq"`
	Hash           string `json:"hash"`
	PrevHash       string `json:"prevHash"`
	IdempotencyKey string `json:"idempotencyKey"`
}

// crashLog reads the whole log through the API.
func crashLog(t *testing.T, d *daemon) []crashEvent {
	t.Helper()
	var all []crashEvent
	after := uint64(0)
	for {
		code, body, err := doJSON(context.Background(), http.DefaultClient, "GET", fmt.Sprintf("%s/api/v1/events?after=%d&limit=1000", d.base, after), "", nil)
		if err != nil || code != 200 {
			t.Fatalf("list events: %d %v %s", code, err, body)
		}
		var page struct {
			Items []crashEvent `json:"items"`
			Next  *uint64      `json:"next"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Items...)
		if page.Next == nil || len(page.Items) == 0 {
			return all
		}
		after = *page.Next
	}
}

// TestCrashKill9KeepsAcknowledgedEvents drives concurrent writes over HTTP
// into a real depotd, kills it with SIGKILL at random moments, restarts it,
// and proves that every event whose POST was answered 2xx is there, that
// seqs have no gap, that the chain holds and that verify passes.
func TestCrashKill9KeepsAcknowledgedEvents(t *testing.T) {
	bin := buildDepotd(t)
	data := t.TempDir()
	env := []string{"PARTSEDGE_DEPOT=CRASH-1", "PARTSEDGE_DATA=" + data, "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_ADMIN_TOKEN=" + crashToken, "PARTSEDGE_LOG_LEVEL=warn"}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))

	d := startDaemon(t, bin, env...)
	ctx := context.Background()
	for _, p := range []map[string]any{{"sku": "CR-1"}, {"sku": "CR-2"}, {"sku": "CR-S", "tracking": "serial"}} {
		if code, body, err := doJSON(ctx, http.DefaultClient, "POST", d.base+"/api/v1/parts", "", p); err != nil || code != 201 {
			t.Fatalf("define part: %d %v %s", code, err, body)
		}
	}
	for _, l := range []string{"A", "B"} {
		if code, body, err := doJSON(ctx, http.DefaultClient, "POST", d.base+"/api/v1/locations", "", map[string]any{"code": l, "kind": "stock"}); err != nil || code != 201 {
			t.Fatalf("define location: %d %v %s", code, err, body)
		}
	}

	acked := map[string]crashEvent{} // idempotency key -> the event the API answered with
	var unanswered []string
	bodies := map[string]any{}
	var mu sync.Mutex
	serial := 0
	for round := range *crashRounds {
		if round > 0 {
			d = startDaemon(t, bin, env...)
		}
		checkCrashLog(t, d, acked, round)

		// Requests that got no answer before the kill are retried with their
		// key: each lands exactly once, whether or not it had committed.
		for _, key := range unanswered {
			code, body, err := doJSON(ctx, http.DefaultClient, "POST", d.base+"/api/v1/events", key, bodies[key])
			if err != nil || (code != 201 && code != 200) {
				t.Fatalf("retry %s: %d %v %s", key, code, err, body)
			}
			var res struct{ Event crashEvent }
			json.Unmarshal(body, &res)
			acked[key] = res.Event
		}
		unanswered = nil

		killAt := time.Duration(20+r.IntN(400)) * time.Millisecond
		rctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 5 * time.Second}
				for i := 0; rctx.Err() == nil; i++ {
					key := fmt.Sprintf("r%d-w%d-%d", round, w, i)
					var body any
					mu.Lock()
					if i%5 == 4 {
						serial++
						body = map[string]any{"type": "receipt", "ref": "PO-CRASH", "lines": []map[string]any{
							{"sku": "CR-S", "qty": 1, "to": "A", "serials": []string{fmt.Sprintf("SN-%06d", serial)}}}}
					} else {
						body = map[string]any{"type": "receipt", "ref": "PO-CRASH", "lines": []map[string]any{
							{"sku": []string{"CR-1", "CR-2"}[i%2], "qty": 1 + i%3, "to": []string{"A", "B"}[w%2]}}}
					}
					bodies[key] = body
					mu.Unlock()
					code, resp, err := doJSON(rctx, client, "POST", d.base+"/api/v1/events", key, body)
					mu.Lock()
					switch {
					case err == nil && code == 201:
						var res struct{ Event crashEvent }
						if err := json.Unmarshal(resp, &res); err != nil || res.Event.Seq == 0 {
							t.Errorf("2xx without an event: %s", resp)
						}
						acked[key] = res.Event
					case err != nil:
						unanswered = append(unanswered, key)
					default:
						t.Errorf("POST %s: %d %s", key, code, resp)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
		time.Sleep(killAt)
		d.stop(t, syscall.SIGKILL)
		stop()
		wg.Wait()
		if t.Failed() {
			t.Fatalf("round %d failed; depotd said:\n%s", round, d.stderr)
		}
	}
	d = startDaemon(t, bin, env...)
	checkCrashLog(t, d, acked, *crashRounds)
	code, body, err := doJSON(ctx, http.DefaultClient, "POST", d.base+"/api/v1/admin/verify", "", nil)
	var rep struct {
		OK       bool     `json:"ok"`
		Events   uint64   `json:"events"`
		Problems []string `json:"problems"`
	}
	if err != nil || code != 200 || json.Unmarshal(body, &rep) != nil || !rep.OK {
		t.Fatalf("verify: %d %v %s", code, err, body)
	}
	t.Logf("%d rounds, %d acknowledged events, %d events in the log, verify ok", *crashRounds, len(acked), rep.Events)
	if len(acked) < *crashRounds*20 {
		t.Errorf("only %d events acknowledged over %d rounds: the test did not load the daemon", len(acked), *crashRounds)
	}
}

func checkCrashLog(t *testing.T, d *daemon, acked map[string]crashEvent, round int) {
	t.Helper()
	log := crashLog(t, d)
	byKey := map[string]crashEvent{}
	prev := ""
	for i, ev := range log {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("round %d: seq gap: position %d holds seq %d", round, i+1, ev.Seq)
		}
		if ev.PrevHash != prev {
			t.Fatalf("round %d: chain broken at seq %d", round, ev.Seq)
		}
		prev = ev.Hash
		if ev.IdempotencyKey != "" {
			if _, dup := byKey[ev.IdempotencyKey]; dup {
				t.Fatalf("round %d: key %s written twice", round, ev.IdempotencyKey)
			}
			byKey[ev.IdempotencyKey] = ev
		}
	}
	for key, want := range acked {
		got, ok := byKey[key]
		if !ok {
			t.Fatalf("round %d: acknowledged event %s (seq %d) is gone", round, key, want.Seq)
		}
		if got.Seq != want.Seq || got.Hash != want.Hash {
			t.Fatalf("round %d: acknowledged %s was seq %d %s, now seq %d %s", round, key, want.Seq, want.Hash, got.Seq, got.Hash)
		}
	}
}
