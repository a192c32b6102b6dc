package inventory

import (
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// CountReport is a session with its bins' counts and the variances.
type CountReport struct {
	CountState
	Bins      []CountBinState `json:"bins"`
	Variances []Variance      `json:"variances"`
}

// CountSession returns a session as the log leaves it.
func (s *Store) CountSession(number string) (CountState, error) {
	return viewDoc[CountState](s, countKey(number), "count session", "no count session %q", number)
}

// CountReport returns a session, its counted bins and their variances, read
// in one snapshot.
func (s *Store) CountReport(number string) (CountReport, error) {
	var rep CountReport
	found := false
	err := s.read(func(txn *badger.Txn) error {
		v := newView(txn)
		ok, err := v.getJSON(countKey(number), &rep.CountState)
		if err != nil || !ok {
			return err
		}
		found = true
		rep.Bins = make([]CountBinState, 0, len(rep.CountedBins))
		rep.Variances = []Variance{}
		for _, bin := range rep.CountedBins {
			var b CountBinState
			ok, err := v.getJSON(countBinKey(number, bin), &b)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("count session %s lists bin %s as counted but holds no count of it", number, bin)
			}
			rep.Bins = append(rep.Bins, b)
			rep.Variances = append(rep.Variances, b.Variances()...)
		}
		return nil
	})
	if err == nil && !found {
		err = notFound("count session", "no count session %q", number)
	}
	return rep, err
}

// CountFilter narrows CountSessions; an empty status matches all.
type CountFilter struct{ Status CountStatus }

// CountSessions lists sessions in number order after the page's cursor.
func (s *Store) CountSessions(f CountFilter, pg Page) ([]CountState, error) {
	out := []CountState{}
	prefix := []byte{pCount}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
		defer it.Close()
		start := prefix
		if pg.After != "" {
			// Past the session and every key under it (which go on with 0).
			start = append(countKey(pg.After), 1)
		}
		for it.Seek(start); it.Valid() && len(out) < pg.limit(); {
			k := it.Item().KeyCopy(nil)
			var st CountState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode count session %q: %w", k[1:], err)
			}
			if f.Status == "" || f.Status == st.Status {
				out = append(out, st)
			}
			// Skip the session's bins and serials: they follow its key with 0.
			it.Seek(append(k, 1))
		}
		return nil
	})
	return out, err
}
