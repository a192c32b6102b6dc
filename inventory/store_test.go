package inventory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// fixedClock is a clock tests move by hand.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fixedClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func openTest(t testing.TB, clock Clock) *Store {
	t.Helper()
	s, err := Open(Options{Dir: t.TempDir(), Depot: "D1", Clock: clock, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// seeded returns a store with the parts and locations most tests use:
// PN (untracked), PL (lot, 30 days shelf life), PS (serial); bins A and B,
// quarantine Q, defective DEF, van VAN, transit TR.
func seeded(t testing.TB) *Store {
	t.Helper()
	s := openTest(t, &fixedClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)})
	for _, p := range []Part{
		{SKU: "PN", Description: "fan motor", GTINs: []string{"4006381333931"}, Aliases: []string{"SUP-77"}},
		{SKU: "PL", Tracking: TrackLot, ShelfLifeDays: 30, Unit: "ml"},
		{SKU: "PS", Tracking: TrackSerial},
	} {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "B"}, {Code: "Q", Kind: KindQuarantine},
		{Code: "DEF", Kind: KindDefective}, {Code: "VAN", Kind: KindVan}, {Code: "TR", Kind: KindTransit}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	return s
}

func cmd(t EventType, ref string, lines ...Line) Command {
	return Command{Type: t, Actor: "sk", Ref: ref, Lines: lines}
}

func TestCommandShapeIsRefused(t *testing.T) {
	s := seeded(t)
	long := string(bytes.Repeat([]byte("x"), MaxCodeLen+1))
	cases := []shapeCase{
		{"unknown type", Command{Type: "teleport", Actor: "sk", Lines: []Line{{SKU: "PN", Qty: 1}}}, "type"},
		{"no actor", Command{Type: EvReceipt, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "actor"},
		{"no lines", cmd(EvReceipt, ""), "lines"},
		{"zero qty", cmd(EvReceipt, "", Line{SKU: "PN", To: "A"}), "lines[0].qty"},
		{"negative receipt", cmd(EvReceipt, "", Line{SKU: "PN", Qty: -1, To: "A"}), "lines[0].qty"},
		{"huge qty", cmd(EvReceipt, "", Line{SKU: "PN", Qty: MaxQuantity + 1, To: "A"}), "lines[0].qty"},
		{"receipt without to", cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1}), "lines[0].to"},
		{"receipt with from", cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "A", From: "B"}), "lines[0].from"},
		{"move to itself", cmd(EvMove, "", Line{SKU: "PN", Qty: 1, From: "A", To: "A"}), "lines[0].to"},
		{"issue without work order", cmd(EvIssue, "", Line{SKU: "PN", Qty: 1, From: "A"}), "ref"},
		{"sku with newline", cmd(EvReceipt, "", Line{SKU: "P\nN", Qty: 1, To: "A"}), "lines[0].sku"},
		{"sku too long", cmd(EvReceipt, "", Line{SKU: long, Qty: 1, To: "A"}), "lines[0].sku"},
		{"bad expiry", cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L", Expiry: "2026-02-30", Qty: 1, To: "A"}), "lines[0].expiry"},
		{"expiry on a move", cmd(EvMove, "", Line{SKU: "PL", Lot: "L", Expiry: "2027-01-01", Qty: 1, From: "A", To: "B"}), "lines[0].expiry"},
		{"serial count", cmd(EvReceipt, "", Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"X"}}), "lines[0].serials"},
		{"serial twice", cmd(EvReceipt, "", Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"X", "X"}}), "lines[0].serials"},
		{"return without condition", cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "A"}), "lines[0].condition"},
		{"condition on receipt", cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "A", Condition: "good"}), "lines[0].condition"},
		{"fromReserved on scrap", cmd(EvScrap, "", Line{SKU: "PN", Qty: 1, From: "A", FromReserved: true}), "lines[0].fromReserved"},
		{"part event with lines", Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "X"}, Lines: []Line{{SKU: "X", Qty: 1}}}, "lines"},
		{"part without sku", Command{Type: EvPartDefined, Actor: "a", Part: &Part{}}, "part.sku"},
		{"bad gtin", Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "X", GTINs: []string{"4006381333932"}}}, "part.gtins[0]"},
		{"bad tracking", Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "X", Tracking: "batch"}}, "part.tracking"},
		{"self superseded", Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "X", SupersededBy: "X"}}, "part.supersededBy"},
		{"bad location kind", Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "Z", Kind: "shelf"}}, "location.kind"},
		{"long idempotency key", Command{Type: EvReceipt, Actor: "a", IdempotencyKey: string(bytes.Repeat([]byte("k"), 201)), Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "idempotencyKey"},
	}
	wantShapesRefused(t, s, cases)
}

func TestStockRules(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"unknown part", []step{{cmd(EvReceipt, "", Line{SKU: "NOPE", Qty: 1, To: "A"}), CodeUnknownPart}}},
		{"unknown location", []step{{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "Z9"}), CodeUnknownLocation}}},
		{"receive into transit", []step{{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "TR"}), CodeLocationKind}}},
		{"issue from quarantine", []step{
			{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "Q"}), ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "Q"}), CodeLocationKind}}},
		{"defective return into a bin", []step{{cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "A", Condition: ConditionDefective}), CodeLocationKind}}},
		{"overdraw is refused whole", []step{
			{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}), ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 2, From: "A"}, Line{SKU: "PN", Qty: 2, From: "A"}), CodeInsufficientStock}}},
		{"reserved stock is not available", []step{
			{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}), ""},
			{cmd(EvReserve, "WO-1", Line{SKU: "PN", Qty: 2, Location: "A"}), ""},
			{cmd(EvIssue, "WO-2", Line{SKU: "PN", Qty: 2, From: "A"}), CodeInsufficientStock},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 2, From: "A", FromReserved: true}), ""},
			{cmd(EvUnreserve, "WO-1", Line{SKU: "PN", Qty: 1, Location: "A"}), CodeInsufficientReserve}}},
		{"lot needed", []step{{cmd(EvReceipt, "", Line{SKU: "PL", Qty: 1, To: "A"}), CodeTracking}}},
		{"lot on an untracked part", []step{{cmd(EvReceipt, "", Line{SKU: "PN", Lot: "L1", Qty: 1, To: "A"}), CodeTracking}}},
		{"serials needed", []step{{cmd(EvReceipt, "", Line{SKU: "PS", Qty: 1, To: "A"}), CodeTracking}}},
		{"unknown lot", []step{{cmd(EvMove, "", Line{SKU: "PL", Lot: "L9", Qty: 1, From: "A", To: "B"}), CodeUnknownLot}}},
		{"lot expiry conflicts", []step{
			{cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Expiry: "2027-01-31", Qty: 5, To: "A"}), ""},
			{cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Expiry: "2027-02-28", Qty: 5, To: "A"}), CodeLotExpiry},
			{cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Qty: 5, To: "B"}), ""}}},
		{"a serial is in one place", []step{
			{cmd(EvReceipt, "", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{"X1"}}), ""},
			{cmd(EvReceipt, "", Line{SKU: "PS", Qty: 1, To: "B", Serials: []string{"X1"}}), CodeSerialConflict},
			{cmd(EvMove, "", Line{SKU: "PS", Qty: 1, From: "B", To: "A", Serials: []string{"X1"}}), CodeSerialNotHere},
			{cmd(EvMove, "", Line{SKU: "PS", Qty: 1, From: "A", To: "B", Serials: []string{"X1"}}), ""},
			{cmd(EvCountAdjustment, "CNT-1", Line{SKU: "PS", Qty: 1, Location: "A", Serials: []string{"X1"}}), CodeSerialConflict}}},
		{"issued serial comes back", []step{
			{cmd(EvReceipt, "", Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"X1", "X2"}}), ""},
			{cmd(EvIssue, "WO-9", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"X1"}}), ""},
			{cmd(EvIssue, "WO-9", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"X1"}}), CodeSerialNotHere},
			{cmd(EvReturn, "WO-9", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"X1"}}), ""}}},
		{"transfer through transit", []step{
			{cmd(EvReceipt, "", Line{SKU: "PN", Qty: 4, To: "A"}), ""},
			{cmd(EvTransferShipped, "TO-1", Line{SKU: "PN", Qty: 4, From: "A", To: "B"}), CodeLocationKind},
			{cmd(EvTransferShipped, "TO-1", Line{SKU: "PN", Qty: 4, From: "A", To: "TR"}), ""},
			{cmd(EvTransferReceived, "TO-1", Line{SKU: "PN", Qty: 5, From: "TR", To: "B"}), CodeInsufficientStock},
			{cmd(EvTransferReceived, "TO-1", Line{SKU: "PN", Qty: 3, From: "TR", To: "B"}), ""},
			{cmd(EvScrap, "TO-1", Line{SKU: "PN", Qty: 1, From: "TR"}), CodeLocationKind}}},
		{"count finds and loses", []step{
			{cmd(EvCountAdjustment, "CNT-1", Line{SKU: "PN", Qty: 2, Location: "A"}), ""},
			{cmd(EvCountAdjustment, "CNT-1", Line{SKU: "PN", Qty: -3, Location: "A"}), CodeInsufficientStock},
			{cmd(EvCountAdjustment, "CNT-1", Line{SKU: "PN", Qty: -2, Location: "A"}), ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			runSteps(t, s, tc.steps, nil)
			mustVerify(t, s)
		})
	}
}

func TestShelfLifeSetsExpiry(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PL", Lot: "L7", Qty: 10, To: "A"}))
	lot, err := s.Lot("PL", "L7")
	if err != nil || lot.Expiry != "2026-03-31" {
		t.Fatalf("30 days after 2026-03-01 is 2026-03-31; got %+v %v", lot, err)
	}
}

func TestPartCodesAndRedefinition(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	for _, code := range []string{"PN", "4006381333931", "04006381333931", "SUP-77"} {
		p, err := s.ResolveCode(code)
		if err != nil || p.SKU != "PN" {
			t.Errorf("%s: %+v %v", code, p, err)
		}
	}
	_, err := s.Append(ctx, Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "PX", Aliases: []string{"SUP-77"}}})
	if CodeOf(err) != CodeAliasTaken {
		t.Fatalf("alias of another part: %v", err)
	}
	// Redefining PN without the alias frees it.
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "PN", Description: "fan motor v2"}})
	if _, err := s.ResolveCode("SUP-77"); CodeOf(err) != CodeNotFound {
		t.Fatalf("old alias still resolves: %v", err)
	}
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "PX", Aliases: []string{"SUP-77"}}})
	// Tracking cannot change while there is stock.
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "A"}))
	_, err = s.Append(ctx, Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "PN", Tracking: TrackLot}})
	if CodeOf(err) != CodeHasStock {
		t.Fatalf("tracking change with stock: %v", err)
	}
	_, err = s.Append(ctx, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "A", Kind: KindDefective}})
	if CodeOf(err) != CodeHasStock {
		t.Fatalf("kind change with stock: %v", err)
	}
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "B", Kind: KindVan}})
}

func TestIdempotency(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	c := cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 2, To: "A"})
	c.IdempotencyKey = "k-1"
	first, err := s.Append(ctx, c)
	if err != nil || first.Replayed {
		t.Fatal(err, first)
	}
	again, err := s.Append(ctx, c)
	if err != nil || !again.Replayed || again.Event.Seq != first.Event.Seq || again.Event.Hash != first.Event.Hash {
		t.Fatalf("replay: %+v %v", again, err)
	}
	if s.Head().Seq != first.Event.Seq {
		t.Fatal("the replay wrote")
	}
	c.Lines[0].Qty = 3
	if _, err := s.Append(ctx, c); CodeOf(err) != CodeIdempotencyReuse {
		t.Fatalf("reused key: %v", err)
	}
	// Keys belong to the actor that used them.
	c.Actor = "someone-else"
	if r, err := s.Append(ctx, c); err != nil || r.Replayed {
		t.Fatalf("other actor: %+v %v", r, err)
	}
	st, _ := s.Stock(StockFilter{SKU: "PN"}, 0)
	if len(st) != 1 || st[0].OnHand != 5 {
		t.Fatalf("stock %+v", st)
	}
}

func TestConcurrentWritersStayGapless(t *testing.T) {
	s := seeded(t)
	start := s.Head().Seq
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 100, To: "A"}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				c := cmd(EvIssue, fmt.Sprintf("WO-%d-%d", w, i), Line{SKU: "PN", Qty: 1, From: "A"})
				_, err := s.Append(context.Background(), c)
				mu.Lock()
				if err == nil {
					ok++
				} else if CodeOf(err) == CodeInsufficientStock {
					refused++
				} else {
					t.Error(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 100 || refused != 220 {
		t.Fatalf("100 on hand, 320 asked: %d issued, %d refused", ok, refused)
	}
	if got := s.Head().Seq; got != start+101 {
		t.Fatalf("head %d, want %d", got, start+101)
	}
	evs, _ := s.Events(start, 0)
	for i, ev := range evs {
		if ev.Seq != start+uint64(i)+1 {
			t.Fatalf("gap at %d: %d", i, ev.Seq)
		}
	}
}

func TestHLCNeverGoesBack(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Depot: "D1", Clock: clock, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	a := mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "A"}})
	clock.set(clock.Now().Add(-time.Hour)) // NTP steps the clock back
	b := mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "B"}})
	if b.Event.HLC <= a.Event.HLC {
		t.Fatalf("hlc went back: %d then %d", a.Event.HLC, b.Event.HLC)
	}
	s.Close()
	// And across a restart with the clock still behind.
	s, err = Open(Options{Dir: dir, Depot: "D1", Clock: clock, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "C"}})
	if c.Event.HLC <= b.Event.HLC || c.Event.Seq != 3 || c.Event.PrevHash != b.Event.Hash {
		t.Fatalf("after restart: %+v", c.Event)
	}
}

func TestStoreBelongsToOneDepot(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(Options{Dir: dir, Depot: "D2", GCInterval: -1}); err == nil {
		t.Fatal("opened D1's store as D2")
	}
	s, err = Open(Options{Dir: dir, GCInterval: -1})
	if err != nil || s.Depot() != "D1" {
		t.Fatalf("adopting the depot: %v", err)
	}
	s.Close()
	if _, err := s.Append(context.Background(), Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "A"}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

func TestQueries(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 5, To: "A"}, Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"X1", "X2"}}))
	mid := s.Head().Seq
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 2, From: "A", To: "B"}, Line{SKU: "PS", Qty: 1, From: "A", To: "B", Serials: []string{"X2"}}))
	mustAppend(t, s, cmd(EvIssue, "WO-42", Line{SKU: "PS", Qty: 1, From: "B", Serials: []string{"X2"}}))

	byLoc, err := s.Stock(StockFilter{Location: "B"}, 0)
	if err != nil || len(byLoc) != 1 || byLoc[0].SKU != "PN" || byLoc[0].OnHand != 2 {
		t.Fatalf("stock at B: %+v %v", byLoc, err)
	}
	then, err := s.StockAt(mid, StockFilter{})
	want := []Balance{
		{SKU: "PN", Location: "A", OnHand: 5, Available: 5},
		{SKU: "PS", Location: "A", Serial: "X1", OnHand: 1, Available: 1},
		{SKU: "PS", Location: "A", Serial: "X2", OnHand: 1, Available: 1},
	}
	if err != nil || fmt.Sprint(then) != fmt.Sprint(want) {
		t.Fatalf("as of %d:\n got %+v\nwant %+v", mid, then, want)
	}
	h, err := s.SerialHistory("PS", "X2")
	if err != nil || len(h.Events) != 3 || h.Location != "" || h.Events[2].Ref != "WO-42" {
		t.Fatalf("history: %+v %v", h, err)
	}
	if _, err := s.SerialHistory("PS", "NOPE"); CodeOf(err) != CodeNotFound {
		t.Fatalf("unknown serial: %v", err)
	}
	evs, err := s.Events(mid, 1)
	if err != nil || len(evs) != 1 || evs[0].Seq != mid+1 {
		t.Fatalf("events after %d: %+v %v", mid, evs, err)
	}
	parts, _ := s.Parts(Page{After: "PL", Limit: 5})
	if len(parts) != 2 || parts[0].SKU != "PN" {
		t.Fatalf("parts after PL: %+v", parts)
	}
}

// tamper rewrites one stored key behind the store's back.
func tamper(t *testing.T, s *Store, key, val []byte) {
	t.Helper()
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, val) }); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []tamperCase{
		{"event edited", func(t *testing.T, s *Store) {
			ev, _ := s.Event(10)
			raw, _ := sealEvent(&ev)
			tamper(t, s, eventKey(10), bytes.Replace(raw, []byte(`"qty":5`), []byte(`"qty":6`), 1))
		}},
		{"event resealed but chain broken", func(t *testing.T, s *Store) {
			ev, _ := s.Event(10)
			ev.Lines[0].Qty = 6
			raw, _ := sealEvent(&ev)
			tamper(t, s, eventKey(10), raw)
		}},
		{"balance edited", func(t *testing.T, s *Store) {
			tamper(t, s, balKey{"PN", "A", "", ""}.key(), qty{9, 0}.encode())
		}},
		{"serial index edited", func(t *testing.T, s *Store) {
			tamper(t, s, serialKey("PS", "X1"), serialWhere("B", ""))
		}},
		{"event deleted", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(eventKey(10)) }); err != nil {
				t.Fatal(err)
			}
		}},
	}
	wantTamperingsFound(t, func(t *testing.T) *Store {
		s := seeded(t)
		mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 5, To: "A"}))
		mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{"X1"}}))
		return s
	}, cases)
}

func TestBackupRestoreBumpsEpoch(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"X1", "X2"}}, Line{SKU: "PN", Qty: 7, To: "B"}))
	var buf bytes.Buffer
	var progressed int64
	hdr, err := s.Backup(&buf, func(n int64) { progressed = n })
	if err != nil || hdr.Seq != s.Head().Seq || progressed == 0 {
		t.Fatalf("backup: %+v %v (progress %d)", hdr, err, progressed)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	_, epoch, err := Restore(dir, bytes.NewReader(buf.Bytes()), nil, Options{})
	if err != nil || epoch != 2 {
		t.Fatalf("restore: epoch %d %v", epoch, err)
	}
	r, err := Open(Options{Dir: dir, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Depot() != "D1" || r.Head().Seq != hdr.Seq || r.Head().Epoch != 2 {
		t.Fatalf("restored head %+v", r.Head())
	}
	a, _ := s.Stock(StockFilter{}, 0)
	b, _ := r.Stock(StockFilter{}, 0)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("stock differs:\n%+v\n%+v", a, b)
	}
	ev := mustAppend(t, r, cmd(EvMove, "", Line{SKU: "PN", Qty: 1, From: "B", To: "A"}))
	if ev.Event.Epoch != 2 || ev.Event.Seq != hdr.Seq+1 {
		t.Fatalf("first event after restore: %+v", ev.Event)
	}
	rep, err := r.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify restored: %v %v", err, rep.Problems)
	}

	// A damaged or truncated file never becomes a store.
	for name, data := range map[string][]byte{
		"truncated": buf.Bytes()[:buf.Len()/2],
		"flipped":   flip(buf.Bytes(), buf.Len()-40),
		"not ours":  []byte("hello\n"),
	} {
		d := filepath.Join(t.TempDir(), "x")
		if _, _, err := Restore(d, bytes.NewReader(data), nil, Options{}); err == nil {
			t.Errorf("%s: restored", name)
		}
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s: left %s behind", name, d)
		}
	}
	if _, _, err := Restore(dir, bytes.NewReader(buf.Bytes()), nil, Options{}); err == nil {
		t.Error("restored over an existing store")
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0xff
	return c
}

func TestOversizedCommandIsRefusedAlone(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Depot: "D1", GCInterval: -1, MemTableSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "a", Part: &Part{SKU: "PS", Tracking: TrackSerial}})
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "a", Location: &Location{Code: "A"}})
	serials := make([]string, MaxSerials)
	for i := range serials {
		serials[i] = fmt.Sprintf("SERIAL-%040d", i)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cmd(EvReceipt, "", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{fmt.Sprintf("small-%d", i)}})
			if i == 3 {
				c.Lines[0] = Line{SKU: "PS", Qty: int64(len(serials)), To: "A", Serials: serials}
			}
			_, errs[i] = s.Append(context.Background(), c)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if i == 3 && CodeOf(err) != CodeTooLarge {
			t.Errorf("the big one: %v", err)
		}
		if i != 3 && err != nil {
			t.Errorf("small %d: %v", i, err)
		}
	}
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK || rep.Events != 9 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

func TestOpenRefusesWrongFolderAndLockedStore(t *testing.T) {
	empty := t.TempDir()
	if _, err := Open(Options{Dir: empty, GCInterval: -1}); !errors.Is(err, ErrNoStore) {
		t.Fatalf("empty folder: %v", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Fatalf("opening an empty folder left %d files", len(entries))
	}
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(Options{Dir: dir, GCInterval: -1}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
}

func TestCheckBackupAndRestoreIntoPreparedFolder(t *testing.T) {
	s := seeded(t)
	var buf bytes.Buffer
	if _, err := s.Backup(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if hdr, err := CheckBackup(bytes.NewReader(buf.Bytes())); err != nil || hdr.Depot != "D1" {
		t.Fatalf("check: %+v %v", hdr, err)
	}
	for name, data := range map[string][]byte{
		"truncated":  buf.Bytes()[:buf.Len()-10],
		"trailing":   append(bytes.Clone(buf.Bytes()), 'x'),
		"empty":      nil,
		"bad middle": flip(buf.Bytes(), buf.Len()/2),
	} {
		if _, err := CheckBackup(bytes.NewReader(data)); CodeOf(err) != CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A failed restore into a folder the operator made leaves it, empty.
	prepared := t.TempDir()
	if _, _, err := Restore(prepared, bytes.NewReader(buf.Bytes()[:buf.Len()-10]), nil, Options{}); err == nil {
		t.Fatal("restored a truncated backup")
	}
	entries, err := os.ReadDir(prepared)
	if err != nil || len(entries) != 0 {
		t.Fatalf("prepared folder: %v, %d entries left", err, len(entries))
	}
	if _, _, err := Restore(prepared, bytes.NewReader(buf.Bytes()), nil, Options{}); err != nil {
		t.Fatalf("restore into the prepared folder: %v", err)
	}
}

// kill -9 cannot tell a write that reached the page cache from one that
// reached the disk; only power loss can. What makes acknowledged events
// survive power loss is that every commit is fsync'd before Append returns,
// so that setting is pinned here.
func TestCommitsAreFsynced(t *testing.T) {
	bo := badgerOptions(Options{Dir: t.TempDir(), Depot: "D1"})
	if !bo.SyncWrites {
		t.Fatal("Badger is opened without SyncWrites: acknowledged events could be lost on power failure")
	}
	if bo.DetectConflicts {
		t.Error("conflict detection is on: the single committer does not need it")
	}
}

// A backup taken while writers are busy is one point in time: it restores,
// its header's seq is where its log ends, and it verifies.
func TestBackupUnderLoadRestoresConsistently(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1_000_000, To: "A"}))
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				c := cmd(EvMove, "", Line{SKU: "PN", Qty: 1, From: "A", To: "B"})
				if i%2 == 1 {
					c = cmd(EvReceipt, fmt.Sprintf("PO-%d", w), Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{fmt.Sprintf("W%d-%d", w, i)}})
				}
				if _, err := s.Append(context.Background(), c); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	defer func() { stop(); wg.Wait() }()
	for round := range 10 {
		var buf bytes.Buffer
		hdr, err := s.Backup(&buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), "r")
		_, epoch, err := Restore(dir, bytes.NewReader(buf.Bytes()), nil, Options{})
		if err != nil {
			t.Fatalf("round %d: restore of a backup at seq %d: %v", round, hdr.Seq, err)
		}
		r, err := Open(Options{Dir: dir, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.Verify(context.Background(), nil)
		if err != nil || !rep.OK || rep.Events != hdr.Seq || r.Head().Epoch != epoch {
			t.Fatalf("round %d: restored store: %+v %v", round, rep, err)
		}
		r.Close()
	}
	if s.Head().Seq < 100 {
		t.Fatalf("the writers hardly wrote (%d events): the test proved little", s.Head().Seq)
	}
}

func TestCreateUserIsAtomicAndUnique(t *testing.T) {
	s := openTest(t, nil)
	const token = "0123456789abcdef-token"
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateUser(User{Name: "ana", Role: "storekeeper"}, fmt.Sprintf("%s-%d", token, i))
		}()
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch CodeOf(err) {
		case "":
			created++
		case CodeUserExists:
		default:
			t.Fatal(err)
		}
	}
	if created != 1 {
		t.Fatalf("%d racing creates succeeded", created)
	}
	users, _ := s.Users()
	if len(users) != 1 {
		t.Fatalf("users: %+v", users)
	}
	found := 0
	for i := range errs {
		if u, err := s.UserByToken(fmt.Sprintf("%s-%d", token, i)); err == nil && u.Name == "ana" {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d tokens work, want exactly the winner's", found)
	}
	if err := s.CreateUser(User{Name: "bo", Role: "engineer"}, "short"); CodeOf(err) != CodeInvalid {
		t.Fatalf("short token: %v", err)
	}
	if _, err := s.User("bo"); CodeOf(err) != CodeNotFound {
		t.Fatalf("a refused create left a user: %v", err)
	}
}

func mustVerify(t *testing.T, s *Store) {
	t.Helper()
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}
