package hq

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// DefaultNoDemandDays is how long a depot must not have issued a part for
// its stock of it to count as without demand. 90 days is a quarter: long
// enough that seasonal or monthly service work would have issued it.
const DefaultNoDemandDays = 90

// Reasons a source may give a part.
const (
	ReasonExcess   = "excess"    // available above its own order-up-to
	ReasonNoDemand = "no-demand" // no issue of the part within the no-demand window
)

// Suggestion is a lateral transfer HQ proposes: qty of sku from a depot
// that can spare it to one at or below its reorder point.
type Suggestion struct {
	ID         string   `json:"id"`
	SKU        string   `json:"sku"`
	From       string   `json:"from"`
	To         string   `json:"to"`
	Qty        int64    `json:"qty"`
	DistanceKm *float64 `json:"distanceKm,omitempty"`
	Reason     string   `json:"reason"`
	// The destination's position and reorder point, and the level the
	// suggestions for it bring it up to.
	ToPosition     int64 `json:"toPosition"`
	ToReorderPoint int64 `json:"toReorderPoint"`
	ToTarget       int64 `json:"toTarget"`
	// What the source has available once this suggestion is carried out
	// (and the ones before it from the same source).
	FromAvailableAfter int64 `json:"fromAvailableAfter"`
}

// SuggestionFilter narrows Suggestions. The plan is made over every depot
// and then filtered, so a filtered suggestion is the same (id, qty) as in
// the full list. NoDemandDays is the no-demand window
// (DefaultNoDemandDays when 0); Limit is 1..1000 (1000 when 0).
type SuggestionFilter struct {
	SKU, From, To string
	NoDemandDays  int
	Limit         int
}

// suggestionID is stable for a part, source and destination: the same
// proposal keeps its id while the numbers behind it change.
func suggestionID(sku, from, to string) string {
	sum := sha256.Sum256([]byte(sku + "\x00" + from + "\x00" + to))
	return "sg-" + hex.EncodeToString(sum[:8])
}

// planDepot is one depot's standing in a part, as planning sees it.
type planDepot struct {
	Stock DepotStock
	// RecentDemand: the depot issued the part within the no-demand window.
	RecentDemand bool
	Site         *Site
}

// giveable is what a depot can spare of a part, and why. A depot with
// reorder figures never goes to or below its reorder point (it would
// raise a signal of its own): without recent demand it gives down to its
// reorder point + 1 (but only what is available); with recent demand only
// its excess above the order-up-to. A depot without figures (no policy,
// or a derived one it has not yet published) gives all it has available
// only when it has no recent demand: with demand, HQ cannot tell what it
// needs, so its stock is not taken.
func giveable(p planDepot) (int64, string) {
	s := p.Stock
	var n int64
	reason := ReasonNoDemand
	switch {
	case s.ReorderPoint == nil && p.RecentDemand:
		return 0, ""
	case s.ReorderPoint == nil:
		n = s.Available
	case !p.RecentDemand:
		n = min(s.Available, s.Position.Total-*s.ReorderPoint-1)
	default:
		n, reason = s.Available-*s.OrderUpTo, ReasonExcess
	}
	if n <= 0 {
		return 0, ""
	}
	return n, reason
}

// planPart proposes transfers of one part among depots (in depot order).
// Destinations are depots at or below their reorder point, most in need
// first (then by id); each wants up to its order-up-to level (reorder
// point + 1 when it has none). Sources are the other depots with something
// to give (giveable), nearest first by great-circle distance between
// sites (depots without a site after those with one), then the largest
// giveable, then by id; a destination's need is split across them in that
// order, and what a source gives to one destination is not given again.
func planPart(sku string, depots []planDepot) []Suggestion {
	type dest struct {
		i          int
		need, goal int64
	}
	var dests []dest
	left := make([]int64, len(depots))
	given := make([]int64, len(depots))
	why := make([]string, len(depots))
	for i, p := range depots {
		s := p.Stock
		if s.ReorderPoint != nil && s.Position.Total <= *s.ReorderPoint {
			goal := *s.ReorderPoint + 1
			if s.OrderUpTo != nil && *s.OrderUpTo > goal {
				goal = *s.OrderUpTo
			}
			dests = append(dests, dest{i, goal - s.Position.Total, goal})
			continue
		}
		left[i], why[i] = giveable(p)
	}
	slices.SortStableFunc(dests, func(a, b dest) int {
		return cmp.Or(cmp.Compare(b.need, a.need), cmp.Compare(depots[a.i].Stock.Depot, depots[b.i].Stock.Depot))
	})
	var out []Suggestion
	for _, d := range dests {
		to := depots[d.i]
		type src struct {
			i    int
			dist *float64
		}
		var srcs []src
		for i, p := range depots {
			if left[i] <= 0 {
				continue
			}
			s := src{i: i}
			if to.Site != nil && p.Site != nil {
				km := DistanceKm(*to.Site, *p.Site)
				s.dist = &km
			}
			srcs = append(srcs, s)
		}
		slices.SortStableFunc(srcs, func(a, b src) int {
			switch {
			case a.dist != nil && b.dist == nil:
				return -1
			case a.dist == nil && b.dist != nil:
				return 1
			case a.dist != nil && *a.dist != *b.dist:
				return cmp.Compare(*a.dist, *b.dist)
			}
			return cmp.Or(cmp.Compare(left[b.i], left[a.i]), cmp.Compare(depots[a.i].Stock.Depot, depots[b.i].Stock.Depot))
		})
		need := d.need
		for _, s := range srcs {
			if need == 0 {
				break
			}
			q := min(need, left[s.i])
			need -= q
			left[s.i] -= q
			from := depots[s.i].Stock
			given[s.i] += q
			out = append(out, Suggestion{
				ID: suggestionID(sku, from.Depot, to.Stock.Depot), SKU: sku, From: from.Depot, To: to.Stock.Depot,
				Qty: q, DistanceKm: s.dist, Reason: why[s.i],
				ToPosition: to.Stock.Position.Total, ToReorderPoint: *to.Stock.ReorderPoint, ToTarget: d.goal,
				FromAvailableAfter: from.Available - given[s.i],
			})
		}
	}
	return out
}

// Suggestions proposes lateral transfers for every part some depot is at
// or below its reorder point of (see planPart), by part.
func (h *HQ) Suggestions(f SuggestionFilter) ([]Suggestion, error) {
	days := f.NoDemandDays
	if days == 0 {
		days = DefaultNoDemandDays
	}
	if days < 1 || days > 3650 {
		return nil, invalid("noDemandDays", "must be between 1 and 3650")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	sites, err := h.Sites()
	if err != nil {
		return nil, err
	}
	bySite := map[string]*Site{}
	for _, s := range sites {
		bySite[s.Depot] = &s.Site
	}
	since := h.now().UTC().AddDate(0, 0, -days).Format(time.DateOnly)
	out := []Suggestion{}
	err = h.db.View(func(txn *badger.Txn) error {
		r := newStockReader(txn)
		return eachPart(txn, f.SKU, "", func(sku string, depots []string, pds []partDepot) (bool, error) {
			pl := make([]planDepot, 0, len(depots))
			for i, d := range depots {
				ds, err := r.depotStock(d, sku, pds[i])
				if err != nil {
					return false, err
				}
				pl = append(pl, planDepot{Stock: ds, RecentDemand: issuedSince(txn, d, sku, since), Site: bySite[d]})
			}
			for _, s := range planPart(sku, pl) {
				if (f.From == "" || f.From == s.From) && (f.To == "" || f.To == s.To) {
					out = append(out, s)
				}
			}
			return len(out) < limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("plan lateral transfers: %w", err)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
