package notify

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// clock is a clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t testing.TB, dir string, c *clock) *inventory.Store {
	t.Helper()
	s, err := inventory.Open(inventory.Options{Dir: dir, Depot: "D1", Clock: c, GCInterval: -1, Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAppend(t testing.TB, s *inventory.Store, c inventory.Command) inventory.Event {
	t.Helper()
	r, err := s.Append(context.Background(), c)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Type, c.Ref, err)
	}
	return r.Event
}

// seed defines PN (untracked), PL (lot-tracked) and bins A and Q.
func seed(t testing.TB, s *inventory.Store) {
	t.Helper()
	for _, p := range []inventory.Part{{SKU: "PN"}, {SKU: "PL", Tracking: inventory.TrackLot}} {
		mustAppend(t, s, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []inventory.Location{{Code: "A"}, {Code: "Q", Kind: inventory.KindQuarantine}} {
		mustAppend(t, s, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &l})
	}
}

func receipt(ref string, lines ...inventory.Line) inventory.Command {
	return inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Ref: ref, Lines: lines}
}

// raiseN writes n notices straight to the log (for the delivery tests).
func raiseN(t testing.TB, s *inventory.Store, from, n int, at time.Time) {
	t.Helper()
	var ch inventory.NoticeChanges
	for i := from; i < from+n; i++ {
		v := map[string]string{"sku": "PN", "qty": "1", "ref": "PO-" + itoa(i)}
		ch.Raise = append(ch.Raise, inventory.Notice{Key: "po-received/PO-" + itoa(i) + "/PN//1.0", Kind: KindPOReceived, Once: true,
			Ref: "PO-" + itoa(i), SKU: "PN", Qty: 1, Text: Texts[5], Values: v, Message: inventory.FillText(Texts[5], v), RaisedAt: at})
	}
	if _, err := s.RecordNotices(ch); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
