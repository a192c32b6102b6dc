package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openStore(t *testing.T, dir string) *inventory.Store {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: dir, Depot: "DEMO-1", GCInterval: -1, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestDemoSeedsOnceAndVerifies(t *testing.T) {
	st := openStore(t, t.TempDir())
	ctx := context.Background()
	if err := seedDemo(ctx, st, quietLog()); err != nil {
		t.Fatal(err)
	}
	head := st.Head()
	if head.Seq != uint64(len(demoCommands())) {
		t.Fatalf("head %d after seeding %d commands", head.Seq, len(demoCommands()))
	}
	if err := seedDemo(ctx, st, quietLog()); err != nil {
		t.Fatal(err)
	}
	if st.Head() != head {
		t.Fatalf("seeding again wrote: %+v -> %+v", head, st.Head())
	}
	rep, err := st.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}

	parts, err := st.Parts(inventory.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 20 {
		t.Errorf("%d demo parts, want about 20", len(parts))
	}
	has := map[string]bool{}
	for _, p := range parts {
		has["tracking:"+string(p.Tracking)] = true
		has["unit:"+p.Unit] = true
		if p.SupersededBy != "" {
			has["superseded"] = true
		}
		if len(p.Aliases) > 0 {
			has["alias"] = true
		}
		for _, g := range p.GTINs {
			if _, ok := inventory.NormalizeGTIN(g); !ok {
				t.Errorf("%s: GTIN %s has a bad check digit", p.SKU, g)
			}
		}
		if len(p.GTINs) == 0 {
			t.Errorf("%s has no GTIN", p.SKU)
		}
	}
	for _, want := range []string{"tracking:none", "tracking:lot", "tracking:serial", "unit:ml", "unit:mm", "unit:ea", "superseded", "alias"} {
		if !has[want] {
			t.Errorf("the demo catalogue has no %s", want)
		}
	}
	if p, err := st.ResolveCode("SKF-6203-2RSH"); err != nil || p.SKU != "BRG-6203-2RS" {
		t.Errorf("supplier alias: %+v %v", p, err)
	}
	if lot, err := st.Lot("REF-R32", "R32-24-118"); err != nil || lot.Expiry != "2029-05-31" {
		t.Errorf("lot with expiry: %+v %v", lot, err)
	}
	kinds := map[inventory.LocationKind]bool{}
	locs, _ := st.Locations(inventory.Page{})
	for _, l := range locs {
		kinds[l.Kind] = true
	}
	for _, k := range []inventory.LocationKind{inventory.KindStock, inventory.KindQuarantine, inventory.KindDefective, inventory.KindVan, inventory.KindTransit} {
		if !kinds[k] {
			t.Errorf("no %s location", k)
		}
	}
	types := map[inventory.EventType]bool{}
	evs, _ := st.Events(0, 0)
	for _, e := range evs {
		types[e.Type] = true
	}
	for _, ty := range []inventory.EventType{inventory.EvReceipt, inventory.EvMove, inventory.EvIssue, inventory.EvReturn, inventory.EvReserve} {
		if !types[ty] {
			t.Errorf("no %s event in the demo", ty)
		}
	}
	if rows, _ := st.Stock(inventory.StockFilter{Location: "VAN-07"}, 0); len(rows) == 0 {
		t.Error("the van holds no stock")
	}
	if h, err := st.SerialHistory("CMP-R32-24K", "GM24-2406-00117"); err != nil || len(h.Events) < 3 || h.Location != "" {
		t.Errorf("the issued compressor's history: %+v %v", h, err)
	}
}

// An interrupted first seeding is finished by the next start.
func TestDemoFinishesAnInterruptedSeed(t *testing.T) {
	st := openStore(t, t.TempDir())
	ctx := context.Background()
	for _, c := range demoCommands()[:7] {
		if _, err := st.Append(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := seedDemo(ctx, st, quietLog()); err != nil {
		t.Fatal(err)
	}
	if st.Head().Seq != uint64(len(demoCommands())) {
		t.Fatalf("head %d, want %d", st.Head().Seq, len(demoCommands()))
	}
}

func TestDemoLeavesRealDataAlone(t *testing.T) {
	st := openStore(t, t.TempDir())
	ctx := context.Background()
	if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin",
		Location: &inventory.Location{Code: "BIN-1"}}); err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, st, quietLog()); err != nil {
		t.Fatal(err)
	}
	if st.Head().Seq != 1 {
		t.Fatalf("the demo was seeded into a store with real data: head %d", st.Head().Seq)
	}
}
