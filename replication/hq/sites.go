package hq

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
)

// Site is where a depot is, for "nearest first" in planning.
type Site struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// DepotSite is a depot's site in Sites.
type DepotSite struct {
	Depot string `json:"depot"`
	Site
}

// MaxSiteNameLen bounds a site's name.
const MaxSiteNameLen = 200

// Check validates a site: a printable name and WGS 84 degrees.
func (s Site) Check() error {
	switch {
	case strings.TrimSpace(s.Name) == "":
		return invalid("name", "is required")
	case len(s.Name) > MaxSiteNameLen:
		return invalid("name", "is longer than %d bytes", MaxSiteNameLen)
	case !utf8.ValidString(s.Name):
		return invalid("name", "is not valid UTF-8")
	case strings.IndexFunc(s.Name, unicode.IsControl) >= 0:
		return invalid("name", "contains a control character")
	case math.IsNaN(s.Lat) || s.Lat < -90 || s.Lat > 90:
		return invalid("lat", "must be a latitude between -90 and 90 degrees")
	case math.IsNaN(s.Lon) || s.Lon < -180 || s.Lon > 180:
		return invalid("lon", "must be a longitude between -180 and 180 degrees")
	}
	return nil
}

// SetSite records where depot is. The depot need not have replicated yet:
// planners place depots before they go live.
func (h *HQ) SetSite(depot string, s Site) error {
	if err := checkDepotID("depot", depot); err != nil {
		return err
	}
	if err := s.Check(); err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode site: %w", err)
	}
	if err := h.db.Update(func(txn *badger.Txn) error { return txn.Set(key(prefixSite, depot), b) }); err != nil {
		return fmt.Errorf("write the site of %s: %w", depot, err)
	}
	return nil
}

// Sites lists every depot's site by depot id.
func (h *HQ) Sites() ([]DepotSite, error) {
	out := []DepotSite{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixSite}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			ds := DepotSite{Depot: string(it.Item().Key()[1:])}
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &ds.Site) }); err != nil {
				return fmt.Errorf("decode site %q: %w", it.Item().Key(), err)
			}
			out = append(out, ds)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read sites: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Depot < out[j].Depot })
	return out, nil
}

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two sites.
// It is what "nearest" means here: depots are compared, not routed, and
// road distance would need a routing service HQ does not have.
func DistanceKm(a, b Site) float64 {
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}
