package inventory

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// TransferInfo is a transfer with what is derived at read time: whether it
// is overdue by the store's clock, and its discrepancy report as it stands.
type TransferInfo struct {
	TransferState
	Overdue bool           `json:"overdue"`
	Report  TransferReport `json:"report"`
}

// overdue: on the way (sealed at the source, announced and not closed for
// receipt at the destination) past its expected day. A transfer without an
// expected day is never overdue.
func (st *TransferState) overdue(now time.Time) bool {
	return st.Status == TransferShipped && st.Expected != "" && st.Expected < now.UTC().Format(time.DateOnly)
}

func (s *Store) info(st *TransferState) TransferInfo {
	return TransferInfo{TransferState: *st, Overdue: st.overdue(s.opts.Clock.Now()), Report: st.report()}
}

// Transfer returns a transfer with its overdue flag and report.
func (s *Store) Transfer(number string) (TransferInfo, error) {
	st, err := viewDoc[TransferState](s, transferKey(number), "transfer", "no transfer %q", number)
	if err != nil {
		return TransferInfo{}, err
	}
	return s.info(&st), nil
}

// TransferFilter narrows Transfers. Empty fields match everything.
type TransferFilter struct {
	Status    TransferStatus
	Direction TransferDirection
	// Overdue keeps only the overdue transfers.
	Overdue bool
}

// Transfers lists transfers matching f in number order; the page's After is
// a transfer number. The scan is over every transfer, like purchase orders:
// a depot has thousands at most.
func (s *Store) Transfers(f TransferFilter, pg Page) ([]TransferInfo, error) {
	out := []TransferInfo{}
	now := s.opts.Clock.Now()
	prefix := []byte{pTransfer}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		start := prefix
		if pg.After != "" {
			start = append(transferKey(pg.After), 0)
		}
		for it.Seek(start); it.Valid() && len(out) < pg.limit(); it.Next() {
			var st TransferState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode transfer %q: %w", it.Item().Key()[1:], err)
			}
			if (f.Status != "" && f.Status != st.Status) || (f.Direction != "" && f.Direction != st.Direction) ||
				(f.Overdue && !st.overdue(now)) {
				continue
			}
			out = append(out, s.info(&st))
		}
		return nil
	})
	return out, err
}

// WriteOffLines are the scrap lines that write off what an inbound transfer
// still has in transit, once its receipt is closed.
func (s *Store) WriteOffLines(number string) ([]Line, error) {
	t, err := s.Transfer(number)
	if err != nil {
		return nil, err
	}
	if t.Direction != TransferInbound || t.Status != TransferReceived {
		return nil, errf(CodeTransferState, "ref", "transfer %s is %s %s: only a received inbound transfer has a short remainder to write off", number, t.Status, t.Direction)
	}
	bal, err := s.Stock(StockFilter{Location: t.Transit}, MaxSerials)
	if err != nil {
		return nil, err
	}
	var lines []Line
	for _, b := range bal {
		if b.OnHand <= 0 {
			continue
		}
		if b.Serial != "" {
			merged := false
			for i := range lines {
				if lines[i].SKU == b.SKU && lines[i].Lot == b.Lot && len(lines[i].Serials) > 0 {
					lines[i].Serials = append(lines[i].Serials, b.Serial)
					lines[i].Qty++
					merged = true
					break
				}
			}
			if merged {
				continue
			}
			lines = append(lines, Line{SKU: b.SKU, Qty: 1, From: t.Transit, Lot: b.Lot, Serials: []string{b.Serial}})
			continue
		}
		lines = append(lines, Line{SKU: b.SKU, Qty: b.OnHand, From: t.Transit, Lot: b.Lot})
	}
	return lines, nil
}
