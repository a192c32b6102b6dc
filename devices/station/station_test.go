package station

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func TestFromScan(t *testing.T) {
	for _, tc := range []struct {
		aim, data string
		want      Identity
		bad       bool
	}{
		{"]C1", "0109506000134352172512311012A45\x1d21S-0042", Identity{Kind: KindItem, GTIN: "09506000134352", Lot: "12A45", Expiry: "2025-12-31", Serial: "S-0042"}, false},
		{"]d2", "01095060001343523005", Identity{Kind: KindItem, GTIN: "09506000134352", Qty: 5}, false},
		{"]E0", "9506000134352", Identity{Kind: KindItem, GTIN: "09506000134352"}, false},
		{"]C1", "00395060001234567894", Identity{Kind: KindShipment, SSCC: "395060001234567894"}, false},
		{"]C1", "003950600012345678940209506000134352375", Identity{Kind: KindShipment, SSCC: "395060001234567894", GTIN: "09506000134352", Qty: 5}, false},
		{"]C0", "PN-88213-B", Identity{Kind: KindCode, Code: "PN-88213-B"}, false},
		{"", "PN-88213-B", Identity{Kind: KindCode, Code: "PN-88213-B"}, false},
		{"]C0", "PO:4500012345", Identity{Kind: KindDocument, Doc: "PO", Code: "4500012345"}, false},
		{"", "WO:77", Identity{Kind: KindDocument, Doc: "WO", Code: "77"}, false},
		{"]Q1", "https://id.gs1.org/01/09506000134352/10/LOT-7?17=271231", Identity{Kind: KindItem, GTIN: "09506000134352", Lot: "LOT-7", Expiry: "2027-12-31"}, false},
		{"]C1", "0109506000134353", Identity{}, true}, // bad check digit under a GS1 symbology
		{"", "0109506000134353", Identity{}, true},    // digits meant as GS1
		{"]C1", "", Identity{}, true},
	} {
		got, err := FromScan(tc.aim, tc.data, now)
		if tc.bad {
			if err == nil || !errors.Is(err, ErrUnreadable) {
				t.Errorf("FromScan(%q, %q) = %+v, %v; want ErrUnreadable", tc.aim, tc.data, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("FromScan(%q, %q) = %+v, %v\nwant %+v", tc.aim, tc.data, got, err, tc.want)
		}
	}
}

func TestFromEPC(t *testing.T) {
	id, err := FromEPC("3074257BF7194E4000001A85")
	if err != nil || id.Kind != KindItem || id.GTIN != "80614141123458" || id.Serial != "6789" || id.EPC != "urn:epc:id:sgtin:0614141.812345.6789" {
		t.Fatalf("SGTIN-96: %+v, %v", id, err)
	}
	if _, err := FromEPC("E2801160600002"); !errors.Is(err, ErrUnreadable) {
		t.Fatalf("a TID-like EPC: %v", err)
	}
}

type beeps struct {
	mu  sync.Mutex
	got []string
}

func (b *beeps) Signal(device string, good bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.got = append(b.got, fmt.Sprint(device, good))
	if device == "mute" {
		return errors.New("cannot beep")
	}
	return nil
}

func (b *beeps) list() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.got...)
}

func openStore(t *testing.T) *inventory.Store {
	t.Helper()
	return seedDepot(t, "ST-1", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A-01", Kind: inventory.KindStock}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT-1", Description: "filter", Unit: "ea", GTINs: []string{"9506000134352"}, Aliases: []string{"PN-88213-B"}, Tracking: inventory.TrackNone}},
		{Type: inventory.EvReceipt, Ref: "PO-1", Lines: []inventory.Line{{SKU: "FLT-1", Qty: 7, To: "A-01"}}},
	})
}

func startRouter(t *testing.T, opt Options) *Router {
	t.Helper()
	r := New(opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func TestIdentifyAtAStation(t *testing.T) {
	st := openStore(t)
	b := &beeps{}
	r := startRouter(t, Options{Stations: []string{"counter"}, Signal: b, Idle: func() Operation { return Identify{Catalog: st} }})
	ctx := context.Background()
	for _, tc := range []struct {
		aim, data string
		good      bool
		code      string
	}{
		{"]E0", "9506000134352", true, ""},
		{"]C0", "PN-88213-B", true, ""},
		{"]C0", "NOPE-1", false, CodeUnknownCode},
		{"]C1", "0109506000134353", false, CodeUnreadable},
		{"", "PO:4500012345", true, ""},
	} {
		out, err := r.Scan(ctx, "counter", "kim", tc.aim, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if out.Good != tc.good || out.Code != tc.code || out.Operation != "identify" || out.Actor != "kim" {
			t.Errorf("%s %s: %+v", tc.aim, tc.data, out)
		}
		// The GTIN and the supplier's part number both find the filter.
		if tc.good && out.Identity.Kind != KindDocument && (out.Part == nil || out.Part.SKU != "FLT-1" || len(out.Stock) != 1 || out.Stock[0].OnHand != 7) {
			t.Errorf("%s: part %+v stock %+v", tc.data, out.Part, out.Stock)
		}
	}
	if _, err := r.Scan(ctx, "nowhere", "kim", "", "x"); !errors.Is(err, ErrNoStation) {
		t.Fatalf("unknown station: %v", err)
	}
	if len(b.list()) != 0 {
		t.Fatalf("handheld scans beeped devices: %v", b.list())
	}

	// Device scans: routed in order, each answered by a beep on the device
	// that read it; the outcomes reach a subscriber and are kept.
	backlog, live, cancel, err := r.Subscribe("counter", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if len(backlog) != 2 || backlog[0].ID != 4 {
		t.Fatalf("backlog after 3: %+v", backlog)
	}
	r.DeviceScan("counter", "scan-1", "]E0", "9506000134352", now)
	r.DeviceScan("counter", "mute", "]C0", "NOPE-2", now)
	for i, want := range []bool{true, false} {
		select {
		case o := <-live:
			if o.Good != want || o.ID != uint64(6+i) {
				t.Fatalf("live outcome %d: %+v", i, o)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no live outcome")
		}
	}
	// The beep follows the outcome's publication: wait for it.
	waitFor(t, func() bool { return len(b.list()) >= 2 })
	if got := b.list(); len(got) != 2 || got[0] != "scan-1true" || got[1] != "mutefalse" {
		t.Fatalf("beeps %v", got)
	}
	// A device naming a new station makes it.
	r.DeviceScan("dock-2", "scan-9", "]E0", "9506000134352", now)
	waitFor(t, func() bool { i, ok := r.Station("dock-2"); return ok && i.Scans == 1 })
	info, _ := r.Station("counter")
	if info.Scans != 7 || info.Rejected != 3 || info.Operation != "identify" {
		t.Fatalf("station info %+v", info)
	}
}

// blocking is an operation that waits until released: a ledger that is slow.
type blocking struct{ release chan struct{} }

func (blocking) Kind() string { return "slow" }
func (blocking) Ref() string  { return "" }
func (b blocking) Handle(ctx context.Context, in Input) Result {
	<-b.release
	return Result{Good: true, Message: "done"}
}

func TestBusyStationRejectsWithoutBlocking(t *testing.T) {
	b := &beeps{}
	op := blocking{release: make(chan struct{})}
	r := startRouter(t, Options{Stations: []string{"dock"}, Signal: b, Queue: 2, Idle: func() Operation { return op }})
	for i := 0; i < 6; i++ {
		r.DeviceScan("dock", "s", "]C0", fmt.Sprint("CODE-", i), now) // returns at once
	}
	waitFor(t, func() bool { i, _ := r.Station("dock"); return i.Rejected >= 3 })
	close(op.release)
	waitFor(t, func() bool { i, _ := r.Station("dock"); return i.Scans == 6 })
	backlog, _, cancel, _ := r.Subscribe("dock", 0)
	cancel()
	busy := 0
	for _, o := range backlog {
		if o.Code == CodeBusy {
			busy++
		}
	}
	if busy < 3 {
		t.Fatalf("%d busy rejections: %+v", busy, backlog)
	}
}

func TestStartReplacesTheOperation(t *testing.T) {
	r := startRouter(t, Options{Stations: []string{"dock"}})
	out, err := r.Scan(context.Background(), "dock", "kim", "]C0", "X")
	if err != nil || out.Good || out.Code != CodeNotHandled {
		t.Fatalf("no operation: %+v %v", out, err)
	}
	op := blocking{release: make(chan struct{})}
	close(op.release)
	if prev, err := r.Start("dock", op); err != nil || prev != nil {
		t.Fatalf("start: %v %v", prev, err)
	}
	out, _ = r.Scan(context.Background(), "dock", "kim", "]C0", "X")
	if !out.Good || out.Operation != "slow" {
		t.Fatalf("after start: %+v", out)
	}
	if _, err := r.Start("nowhere", op); !errors.Is(err, ErrNoStation) {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func FuzzFromScan(f *testing.F) {
	for _, s := range []string{"]C10109506000134352172512311012A45\x1d21S", "]E09506000134352", "PO:1", "]Q1https://id.gs1.org/01/09506000134352", "]C1003950600012345678940209506000134352375"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		aim, data := "", s
		if len(s) >= 3 && s[0] == ']' {
			aim, data = s[:3], s[3:]
		}
		id, err := FromScan(aim, data, now)
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error %v does not wrap ErrUnreadable", err)
			}
			return
		}
		if id.Kind == "" || (id.Kind == KindItem && len(id.GTIN) != 14) {
			t.Fatalf("identity %+v from %q", id, s)
		}
	})
}
