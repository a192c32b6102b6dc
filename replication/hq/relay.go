package hq

import (
	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// The relay needs, when a source dispatches transfer T, what T is (its
// depots, lines and expected day: the dispatch carries only the sealed
// shipment), and when a destination closes T, which depot T came from.
// It keeps both from the events that said so, whether HQ ordered T or a
// depot requested it itself:
//
//	N t<depot>\x00<number>   the Transfer a depot requested, leaving from it
//	N i<depot>\x00<number>   the Transfer announced to a depot, coming to it
func relayKey(kind byte, depot, number string) []byte {
	k := append([]byte{prefixCounter, kind}, depot...)
	return append(append(k, 0), number...)
}

const (
	relayOutbound = 't'
	relayInbound  = 'i'
)

// relay queues the commands a depot's applied events call for at other
// depots, in the transaction that applies them: a crash neither loses a
// relayed command nor, on the depot's resend, queues it twice.
//
// A source's transfer-dispatched makes HQ announce T to the destination
// with the sealed manifest; a destination's transfer-closed sends the
// source a settlement: transfer-closed with T's number and the
// destination's report; a destination's write-off of T's short units
// sends the report again with what is written off, so the source closes T
// too once nothing is left open.
func (h *HQ) relay(txn *badger.Txn, depot string, evs []inventory.Event) error {
	for i := range evs {
		ev := &evs[i]
		switch ev.Type {
		case inventory.EvTransferRequested:
			if ev.Transfer != nil && ev.Transfer.From == depot {
				if err := setJSON(txn, relayKey(relayOutbound, depot, ev.Transfer.Number), ev.Transfer); err != nil {
					return err
				}
			}
		case inventory.EvTransferAnnounced:
			if ev.Transfer != nil && ev.Transfer.To == depot {
				if err := setJSON(txn, relayKey(relayInbound, depot, ev.Transfer.Number), ev.Transfer); err != nil {
					return err
				}
			}
		case inventory.EvTransferDispatched:
			if err := h.relayDispatch(txn, depot, ev); err != nil {
				return err
			}
		case inventory.EvTransferClosed:
			if err := h.relaySettlement(txn, depot, ev); err != nil {
				return err
			}
		case inventory.EvScrap:
			if err := h.relayWriteOff(txn, depot, ev); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *HQ) relayDispatch(txn *badger.Txn, depot string, ev *inventory.Event) error {
	var t inventory.Transfer
	ok, err := getJSON(txn, relayKey(relayOutbound, depot, ev.Ref), &t)
	if err != nil {
		return err
	}
	if !ok || ev.Shipment == nil || replication.ValidDepot(t.To) != nil {
		// A transfer HQ never saw requested (it predates HQ's store) cannot
		// be announced from here; refusing the batch would stall the
		// depot's replication for good, so it is logged instead.
		h.log.Warn("transfer dispatched that HQ cannot announce", "depot", depot, "transfer", ev.Ref, "seq", ev.Seq)
		return nil
	}
	cmd := inventory.Command{Type: inventory.EvTransferAnnounced, Ref: t.Number, Transfer: &t,
		Shipment: &inventory.Shipment{SSCC: ev.Shipment.SSCC, Lines: ev.Shipment.Lines}}
	_, err = h.enqueue(txn, t.To, t.Number, "", []inventory.Command{cmd})
	return err
}

func (h *HQ) relaySettlement(txn *badger.Txn, depot string, ev *inventory.Event) error {
	var t inventory.Transfer
	ok, err := getJSON(txn, relayKey(relayInbound, depot, ev.Ref), &t)
	if err != nil || !ok {
		// Not an inbound transfer here: the source's own close (a
		// settlement HQ sent) settles nothing further.
		return err
	}
	if ev.TransferReport == nil || replication.ValidDepot(t.From) != nil {
		h.log.Warn("transfer closed without a report HQ can settle", "depot", depot, "transfer", ev.Ref, "seq", ev.Seq)
		return nil
	}
	cmd := inventory.Command{Type: inventory.EvTransferClosed, Ref: t.Number, TransferReport: ev.TransferReport}
	_, err = h.enqueue(txn, t.From, t.Number, "", []inventory.Command{cmd})
	return err
}

// relayWriteOff settles T again at the source after the destination wrote
// off (part of) what was short: the destination's state of T, already
// carried forward by project in this transaction, gives the report.
func (h *HQ) relayWriteOff(txn *badger.Txn, depot string, ev *inventory.Event) error {
	if ev.Ref == "" {
		return nil
	}
	fromTransit := false
	for _, l := range ev.Lines {
		fromTransit = fromTransit || l.From == inventory.TransitLocation(ev.Ref)
	}
	if !fromTransit {
		return nil // an ordinary scrap that names a document
	}
	var t inventory.Transfer
	ok, err := getJSON(txn, relayKey(relayInbound, depot, ev.Ref), &t)
	if err != nil || !ok {
		return err
	}
	var st inventory.TransferState
	ok, err = getJSON(txn, key(prefixDepotDoc, depot, tableTransfer, ev.Ref), &st)
	if err != nil {
		return err
	}
	if !ok || replication.ValidDepot(t.From) != nil {
		h.log.Warn("transfer written off that HQ cannot settle", "depot", depot, "transfer", ev.Ref, "seq", ev.Seq)
		return nil
	}
	rep := st.Report()
	cmd := inventory.Command{Type: inventory.EvTransferClosed, Ref: t.Number, TransferReport: &rep}
	_, err = h.enqueue(txn, t.From, t.Number, "", []inventory.Command{cmd})
	return err
}
