package inventory

// Pure functions that let another ledger (HQ's replica of a depot) derive
// from a depot's events exactly what the depot's store derived. They wrap
// the very step functions the store and Verify run, so a replica cannot
// drift from the depot by reimplementing a rule slightly differently.

// BalanceChange is one event's change to one balance row: a part at a
// location, for one lot and serial.
type BalanceChange struct {
	SKU      string `json:"sku"`
	Location string `json:"location"`
	Lot      string `json:"lot,omitempty"`
	Serial   string `json:"serial,omitempty"`
	OnHand   int64  `json:"onHand"`
	Reserved int64  `json:"reserved"`
}

// BalanceChanges returns the balance changes ev made to the depot's
// ledger, in the order the store applied them. It depends on the event
// alone: events the store accepted are all it needs.
func BalanceChanges(ev *Event) []BalanceChange {
	ds := deltas(ev)
	out := make([]BalanceChange, 0, len(ds))
	for _, d := range ds {
		out = append(out, BalanceChange{SKU: d.k.SKU, Location: d.k.Loc, Lot: d.k.Lot, Serial: d.k.Serial,
			OnHand: d.onHand, Reserved: d.reserved})
	}
	return out
}

// StepPurchaseOrder carries an event into a purchase order's state the way
// the store did: po-created opens it (st is nil then), a receipt whose ref
// names it counts against its lines, po-closed closes it. It returns the
// new state and whether ev concerned the order; st is changed in place.
func StepPurchaseOrder(st *PurchaseOrderState, ev *Event) (*PurchaseOrderState, bool) {
	switch ev.Type {
	case EvPOCreated:
		if st != nil || ev.Order == nil {
			return st, false
		}
		return newPOState(ev), true
	case EvPOClosed:
		if st == nil || st.Status == POClosed {
			return st, false
		}
		st.close(ev)
		return st, true
	case EvReceipt:
		if st == nil || st.Status == POClosed {
			return st, false
		}
		for _, l := range ev.Lines {
			// The store refused a receipt whose line fits no order line,
			// so an accepted event always has eligible lines.
			if idx, code := st.eligible(l.SKU, l.Lot); code == "" {
				st.allocate(idx, l.Qty)
			}
		}
		return st, true
	}
	return st, false
}

// StepTransfer carries an event into one depot's state of a transfer the
// way the store did: transfer-requested (at the source) and
// transfer-announced (at the destination) open it (st is nil then; an
// announce also continues the destination's inbound order), the other
// transfer events, a settlement at the source and the stock events held
// to it move it on. It
// returns the new state, whether ev concerned the transfer, and the rule's
// refusal if ev breaks it (then st may be partly changed: step a copy).
func StepTransfer(st *TransferState, ev *Event) (*TransferState, bool, error) {
	switch ev.Type {
	case EvTransferRequested, EvTransferAnnounced:
		if ev.Transfer == nil || (ev.Type == EvTransferAnnounced && ev.Shipment == nil) {
			return st, false, nil
		}
		if st == nil {
			return newTransferState(ev), true, nil
		}
		// An announce continues the destination's inbound order.
		if ev.Type != EvTransferAnnounced {
			return st, true, errf(CodeDocumentExists, "transfer.number", "transfer %s was already created by event %d", st.Number, st.CreatedSeq)
		}
		if err := st.announce(ev); err != nil {
			return st, true, err
		}
		return st, true, nil
	}
	if st == nil {
		return nil, false, nil
	}
	var err *Error
	held := true
	switch ev.Type {
	case EvTransferApproved:
		err = st.approve(ev)
	case EvTransferDispatched:
		err = st.dispatch(ev)
	case EvTransferClosed:
		if st.Direction == TransferOutbound {
			// A settlement: the destination's report, relayed by HQ.
			err = st.settleOutbound(ev)
			break
		}
		_, err = st.closeReceipt(ev)
	default:
		held, err = st.step(ev)
	}
	if err != nil {
		return st, held, err
	}
	return st, held, nil
}

// Report is the transfer's discrepancy report as its state stands: what
// a destination's close reported, with what was written off since. HQ
// relays it to the source as a settlement.
func (st *TransferState) Report() TransferReport { return st.report() }
