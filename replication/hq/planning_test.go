package hq

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

var (
	berlin  = &Site{Name: "Berlin", Lat: 52.52, Lon: 13.405}
	hamburg = &Site{Name: "Hamburg", Lat: 53.551, Lon: 9.993}
	munich  = &Site{Name: "Munich", Lat: 48.137, Lon: 11.575}
)

// pd is a depot's standing: available, on order, and (when rop >= 0) the
// reorder point and order-up-to it published.
func pd(depot string, available, onOrder, rop, upTo int64, recent bool, site *Site) planDepot {
	s := DepotStock{Depot: depot, Available: available, OnOrder: onOrder,
		Position: inventory.Position{Available: available, OnOrder: onOrder, Total: available + onOrder}}
	if rop >= 0 {
		s.ReorderPoint, s.OrderUpTo = &rop, &upTo
	}
	return planDepot{Stock: s, RecentDemand: recent, Site: site}
}

func TestDistanceKm(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b Site
		want float64
	}{
		{"same place", *berlin, *berlin, 0},
		// Half the equator: pi * 6371.0088.
		{"antipodes on the equator", Site{Lat: 0, Lon: 0}, Site{Lat: 0, Lon: 180}, math.Pi * earthRadiusKm},
		// One degree of latitude: 6371.0088 * pi / 180 = 111.195 km.
		{"one degree north", Site{Lat: 10, Lon: 5}, Site{Lat: 11, Lon: 5}, 111.195},
		{"Berlin to Hamburg", *berlin, *hamburg, 255.29},
		{"Berlin to Munich", *berlin, *munich, 504.34},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DistanceKm(tc.a, tc.b); math.Abs(got-tc.want) > 0.01 {
				t.Fatalf("%.3f km, want %.3f", got, tc.want)
			}
		})
	}
}

func TestPlanPart(t *testing.T) {
	type want struct {
		from, to string
		qty      int64
		reason   string
		after    int64 // the source's available after
		km       float64
	}
	for _, tc := range []struct {
		name   string
		depots []planDepot
		want   []want
	}{{
		// D1 (Berlin) is at 2 with minmax 4..12: it wants 12 - 2 = 10.
		// D2 has no policy and issued lately: nothing is taken from it.
		// D3 (Hamburg, 255 km) has 14 against its order-up-to 10 and
		// issued lately: it gives its excess 14 - 10 = 4.
		// D4 (Munich, 504 km) has 9 available + 2 on order = 11, rop 3,
		// no recent issue: it may give down to position 3 + 1 = 4, that is
		// min(9, 11 - 4) = 7.
		// D5 (no site, no policy, no recent issue) could give its 3.
		// Nearest first: D3 gives 4 (6 still wanted), D4 gives 6 (3 of its
		// 9 left), D5 is not needed.
		name: "nearest first, split, never below the source's reorder point",
		depots: []planDepot{
			pd("D1", 2, 0, 4, 12, true, berlin),
			pd("D2", 20, 0, -1, 0, true, hamburg),
			pd("D3", 14, 0, 5, 10, true, hamburg),
			pd("D4", 9, 2, 3, 8, false, munich),
			pd("D5", 3, 0, -1, 0, false, nil),
		},
		want: []want{
			{"D3", "D1", 4, ReasonExcess, 10, 255.29},
			{"D4", "D1", 6, ReasonNoDemand, 3, 504.34},
		},
	}, {
		// Without sites the largest giveable goes first. D1 wants 12 - 2
		// = 10, D2 wants 6 - 1 = 5; D1, the neediest, plans first: D3's
		// excess 15 - 7 = 8, then 2 of D4's 4 (no policy, no demand). D2
		// gets D4's last 2 and stays 3 short: there is no more.
		name: "two destinations share the sources, neediest first",
		depots: []planDepot{
			pd("D1", 2, 0, 4, 12, true, nil),
			pd("D2", 1, 0, 2, 6, true, nil),
			pd("D3", 15, 0, 3, 7, true, nil),
			pd("D4", 4, 0, -1, 0, false, nil),
		},
		want: []want{
			{"D3", "D1", 8, ReasonExcess, 7, -1},
			{"D4", "D1", 2, ReasonNoDemand, 2, -1},
			{"D4", "D2", 2, ReasonNoDemand, 0, -1},
		},
	}, {
		// D1 at its reorder point 4 exactly is short (the depot's own
		// trigger) and wants up to 5: 1. D2 without demand stands at 6 =
		// rop 5 + 1: it gives nothing. D3 has 8 of order-up-to 8: no
		// excess, and it issued lately.
		name: "a source at its reorder point + 1 or without excess gives nothing",
		depots: []planDepot{
			pd("D1", 4, 0, 4, 5, true, nil),
			pd("D2", 6, 0, 5, 9, false, nil),
			pd("D3", 8, 0, 2, 8, true, nil),
		},
	}, {
		// D2's stock is on order, not available: it can give only what
		// it has on the shelf, 1, though its position 1 + 10 is far above
		// its reorder point.
		name: "only available stock is given",
		depots: []planDepot{
			pd("D1", 0, 0, 1, 3, true, berlin),
			pd("D2", 1, 10, 2, 4, false, berlin),
		},
		want: []want{{"D2", "D1", 1, ReasonNoDemand, 0, 0}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := planPart("PN", tc.depots)
			if len(got) != len(tc.want) {
				t.Fatalf("%d suggestions, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				dest := tc.depots[map[string]int{"D1": 0, "D2": 1}[w.to]].Stock
				if g.From != w.from || g.To != w.to || g.Qty != w.qty || g.Reason != w.reason || g.FromAvailableAfter != w.after ||
					g.SKU != "PN" || g.ID != suggestionID("PN", w.from, w.to) || g.ToPosition != dest.Position.Total ||
					g.ToReorderPoint != *dest.ReorderPoint {
					t.Fatalf("suggestion %d: %+v, want %+v", i, g, w)
				}
				if (w.km < 0) != (g.DistanceKm == nil) || (g.DistanceKm != nil && math.Abs(*g.DistanceKm-w.km) > 0.01) {
					t.Fatalf("suggestion %d distance %v, want %v", i, g.DistanceKm, w.km)
				}
			}
		})
	}
}

func TestSites(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	for _, tc := range []struct {
		name, depot string
		site        Site
		field       string
	}{
		{"no name", "D1", Site{Lat: 1, Lon: 1}, "name"},
		{"latitude beyond the pole", "D1", Site{Name: "x", Lat: 90.5}, "lat"},
		{"longitude not a number", "D1", Site{Name: "x", Lon: math.NaN()}, "lon"},
		{"infinite longitude", "D1", Site{Name: "x", Lon: math.Inf(-1)}, "lon"},
		{"a control character", "D1", Site{Name: "a\nb"}, "name"},
		{"a depot id MQTT cannot carry", "D/1", Site{Name: "x"}, "depot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.SetSite(tc.depot, tc.site)
			var e *inventory.Error
			if !errors.As(err, &e) || e.Code != inventory.CodeInvalid || e.Field != tc.field {
				t.Fatalf("want invalid on %s, got %v", tc.field, err)
			}
			if s, _ := h.Sites(); len(s) != 0 {
				t.Fatalf("a refused site was stored: %+v", s)
			}
		})
	}
	for _, s := range []struct {
		depot string
		site  *Site
	}{{"D2", hamburg}, {"D1", berlin}, {"D2", munich}} {
		if err := h.SetSite(s.depot, *s.site); err != nil {
			t.Fatal(err)
		}
	}
	got, err := h.Sites()
	if want := []DepotSite{{"D1", *berlin}, {"D2", *munich}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("sites %+v %v", got, err)
	}
}

// TestSuggestionsFromRealDepots: after TR-1, D2 holds serial part PS at 1
// against its fixed reorder point 3 (signalled); D1 has no policy for PS
// and never issued it: its one unit S3 is offered, nearest first.
func TestSuggestionsFromRealDepots(t *testing.T) {
	d1, d2 := twoDepots(t)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	feed(t, h, d1, 500)
	feed(t, h, d2, 500)
	if err := h.SetSite("D1", *berlin); err != nil {
		t.Fatal(err)
	}
	if err := h.SetSite("D2", *hamburg); err != nil {
		t.Fatal(err)
	}
	got, err := h.Suggestions(SuggestionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("suggestions %+v", got)
	}
	g := got[0]
	if g.SKU != "PS" || g.From != "D1" || g.To != "D2" || g.Qty != 1 || g.Reason != ReasonNoDemand || g.ToPosition != 1 ||
		g.ToReorderPoint != 3 || g.FromAvailableAfter != 0 || g.DistanceKm == nil || math.Abs(*g.DistanceKm-255.29) > 0.01 {
		t.Fatalf("suggestion %+v", g)
	}
	if l, _ := h.Suggestions(SuggestionFilter{To: "D1"}); len(l) != 0 {
		t.Fatalf("suggestions into D1: %+v", l)
	}
	if l, _ := h.Suggestions(SuggestionFilter{SKU: "PS", From: "D1"}); len(l) != 1 || l[0].ID != g.ID || l[0].Qty != g.Qty {
		t.Fatalf("suggestions of PS from D1: %+v", l)
	}
	if _, err := h.Suggestions(SuggestionFilter{NoDemandDays: -1}); inventory.CodeOf(err) != inventory.CodeInvalid {
		t.Fatalf("a negative window: %v", err)
	}
}
