package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// receiver is a webhook endpoint: it checks each delivery's signature,
// refuses the first failFirst attempts of every delivery with a 503, and
// records what it accepted, deduplicated by delivery id as a receiver must.
type receiver struct {
	t         *testing.T
	secret    []byte
	failFirst int

	mu       sync.Mutex
	attempts map[string]int
	got      []Delivery // accepted, first time each
	repeats  int        // accepted again (at least once)
	badSig   int
}

func newReceiver(t *testing.T, secret string, failFirst int) (*receiver, *httptest.Server) {
	r := &receiver{t: t, secret: []byte(secret), failFirst: failFirst, attempts: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts := req.Header.Get(HeaderTimestamp)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !Verify(r.secret, ts, body, req.Header.Get(HeaderSignature)) {
		r.badSig++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if sec, err := strconv.ParseInt(ts, 10, 64); err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		r.badSig++
		http.Error(w, "stale timestamp", http.StatusUnauthorized)
		return
	}
	var d Delivery
	if err := json.Unmarshal(body, &d); err != nil || d.DeliveryID != req.Header.Get(HeaderDelivery) {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	r.attempts[d.DeliveryID]++
	if r.attempts[d.DeliveryID] <= r.failFirst {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	for _, g := range r.got {
		if g.DeliveryID == d.DeliveryID {
			r.repeats++
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	r.got = append(r.got, d)
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) received() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

// checkInOrder: the deliveries are the log's records from..to, in order.
func checkInOrder(t *testing.T, got []Delivery, from, to uint64) {
	t.Helper()
	if uint64(len(got)) != to-from+1 {
		t.Fatalf("received %d deliveries, want %d..%d", len(got), from, to)
	}
	for i, d := range got {
		seq := from + uint64(i)
		if d.Notice.Seq != seq || d.DeliveryID != "D1:"+strconv.FormatUint(seq, 10) || d.Depot != "D1" || d.Notice.Message == "" {
			t.Fatalf("delivery %d: %+v, want record %d", i, d, seq)
		}
	}
}

func fastHooks(urls []string, secret string) WebhookOptions {
	return WebhookOptions{URLs: urls, Secret: secret, MinBackoff: 5 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
}

// TestWebhookRetriesUntilAccepted: the receiver turns down the first two
// attempts of every delivery; each record arrives once, signed, in order,
// and the receiver's dedup sees no repeat because the depot waits for the
// 2xx before it moves on. A second URL that never answers 2xx does not
// hold up the first.
func TestWebhookRetriesUntilAccepted(t *testing.T) {
	c := &clock{t: time.Now()}
	s := openStore(t, t.TempDir(), c)
	defer s.Close()
	n := New(s, Options{Log: quiet()})
	good, goodSrv := newReceiver(t, "s3cret", 2)
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer dead.Close()
	w := n.Webhooks(fastHooks([]string{dead.URL, goodSrv.URL}, "s3cret"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	// Give each hook its starting cursor (the end of the empty log) first:
	// a URL seen for the first time starts at the end.
	eventually(t, "the hooks to start", func() bool {
		_, ok1, _ := s.NoticeCursor(cursorName(dead.URL))
		_, ok2, _ := s.NoticeCursor(cursorName(goodSrv.URL))
		return ok1 && ok2
	})
	raiseN(t, s, 1, 5, c.Now())
	n.wake()
	eventually(t, "five deliveries", func() bool { return len(good.received()) == 5 })
	raiseN(t, s, 6, 2, c.Now())
	n.wake()
	eventually(t, "seven deliveries", func() bool { return len(good.received()) == 7 })
	cancel()
	<-done
	checkInOrder(t, good.received(), 1, 7)
	if good.badSig != 0 || good.repeats != 0 {
		t.Errorf("bad signatures %d, repeats %d", good.badSig, good.repeats)
	}
	for id, a := range good.attempts {
		if a != 3 {
			t.Errorf("delivery %s took %d attempts, want 3", id, a)
		}
	}
	st := w.Stats()
	if st[0].Delivered != 0 || st[0].Failures == 0 || st[1].Delivered != 7 || st[1].Cursor != 7 {
		t.Errorf("stats %+v", st)
	}
	if cur, _, err := s.NoticeCursor(cursorName(dead.URL)); err != nil || cur != 0 {
		t.Errorf("the dead URL's cursor is %d, %v", cur, err)
	}
}

// TestWebhookWrongSecretIsRefused: a receiver with another secret refuses
// every delivery; nothing counts as delivered.
func TestWebhookWrongSecretIsRefused(t *testing.T) {
	s := openStore(t, t.TempDir(), &clock{t: time.Now()})
	defer s.Close()
	raiseN(t, s, 1, 1, time.Now())
	if err := s.SetNoticeCursor(cursorName("x"), 0); err != nil {
		t.Fatal(err)
	}
	n := New(s, Options{Log: quiet()})
	r, srv := newReceiver(t, "the receiver's", 0)
	if err := s.SetNoticeCursor(cursorName(srv.URL), 0); err != nil {
		t.Fatal(err)
	}
	w := n.Webhooks(fastHooks([]string{srv.URL}, "the depot's"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	eventually(t, "a few refused attempts", func() bool { return w.Stats()[0].Failures >= 3 })
	cancel()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.badSig < 3 || len(r.got) != 0 || w.Stats()[0].Delivered != 0 {
		t.Fatalf("bad signatures %d, accepted %d, stats %+v", r.badSig, len(r.got), w.Stats())
	}
}

// TestWebhookCursorSurvivesRestart: deliveries stop with the depot (the
// receiver being down at that moment), notices keep being written, and
// after a restart on the reopened store the receiver gets exactly the rest:
// nothing lost, nothing flooded (the one in flight may come twice, which
// the delivery id dedups).
func TestWebhookCursorSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Now()}
	r, srv := newReceiver(t, "k", 0)
	var n *Notifier
	run := func(s *inventory.Store) (stop func()) {
		n = New(s, Options{Log: quiet()})
		w := n.Webhooks(fastHooks([]string{srv.URL}, "k"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx) }()
		return func() { cancel(); <-done }
	}

	s := openStore(t, dir, c)
	raiseN(t, s, 1, 3, c.Now()) // before the hook existed: not its news
	stop := run(s)
	eventually(t, "the hook's cursor", func() bool { cur, ok, _ := s.NoticeCursor(cursorName(srv.URL)); return ok && cur == 3 })
	raiseN(t, s, 4, 4, c.Now())
	n.wake()
	eventually(t, "four deliveries", func() bool { return len(r.received()) == 4 })
	stop()
	raiseN(t, s, 8, 5, c.Now()) // written while nobody delivers
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir, c)
	defer s.Close()
	stop = run(s)
	defer stop()
	eventually(t, "nine deliveries", func() bool { return len(r.received()) == 9 })
	checkInOrder(t, r.received(), 4, 12)
	if r.repeats > 1 {
		t.Errorf("%d repeats after the restart, at most the one in flight", r.repeats)
	}
}

func TestParseWebhookURLs(t *testing.T) {
	got, err := ParseWebhookURLs(" https://a.example/hook, http://b:8080/x ,,https://a.example/hook")
	if err != nil || len(got) != 2 || got[0] != "https://a.example/hook" || got[1] != "http://b:8080/x" {
		t.Fatalf("%q, %v", got, err)
	}
	for _, bad := range []string{"ftp://a/b", "a.example/hook", "http://", "https://a b/"} {
		if _, err := ParseWebhookURLs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, err := ParseWebhookURLs(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %q, %v", got, err)
	}
}
