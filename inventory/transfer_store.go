package inventory

import (
	"strconv"
	"strings"
)

// isTransferWriteOff lets a scrap take stock out of a transit location when
// its ref names the transfer that location belongs to; transferAfter then
// holds it to the transfer's state.
func isTransferWriteOff(ev *Event, end string, loc *Location) bool {
	return ev.Type == EvScrap && end == "from" && loc.Kind == KindTransit && ev.Ref != "" && loc.Code == TransitLocation(ev.Ref)
}

func getTransfer(v *view, number string) (*TransferState, error) {
	var st TransferState
	ok, err := v.getJSON(transferKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

func mustGetTransfer(v *view, number string) (*TransferState, error) {
	st, err := getTransfer(v, number)
	if err == nil && st == nil {
		return nil, errf(CodeNotFound, "ref", "no transfer %q", number)
	}
	return st, err
}

func putTransfer(v *view, st *TransferState) error { return v.setJSON(transferKey(st.Number), st) }

// defineTransit stages T's transit location and records it in the event,
// so the log alone rebuilds it. A location of that code of another kind is
// not taken over.
func defineTransit(v *view, ev *Event, number, dest string) error {
	loc := &Location{Code: TransitLocation(number), Kind: KindTransit, Description: "in transit: transfer " + number + " to " + dest}
	old, err := getLocation(v, loc.Code)
	if err != nil {
		return err
	}
	if old != nil && old.Kind != KindTransit {
		return errf(CodeLocationKind, "ref", "location %s exists as a %s location", loc.Code, old.Kind)
	}
	ev.Location = loc
	return defineLocation(v, loc)
}

func requestTransfer(v *view, ev *Event) error {
	// From here it is outbound; to here, HQ's order arriving ahead of the
	// goods (inbound). A transfer between two other depots is none of ours.
	if ev.Transfer.From != ev.Depot && ev.Transfer.To != ev.Depot {
		return errf(CodeInvalid, "transfer.from", "this depot is %s: a transfer requested here leaves from it or comes to it, not from %s to %s",
			ev.Depot, ev.Transfer.From, ev.Transfer.To)
	}
	if err := transferIsNew(v, ev.Transfer.Number); err != nil {
		return err
	}
	if err := transferPartsKnown(v, ev.Transfer); err != nil {
		return err
	}
	return putTransfer(v, newTransferState(ev))
}

func transferIsNew(v *view, number string) error {
	old, err := getTransfer(v, number)
	if err != nil {
		return err
	}
	if old != nil {
		return errf(CodeDocumentExists, "ref", "transfer %s exists (event %d)", number, old.CreatedSeq)
	}
	return nil
}

func transferPartsKnown(v *view, t *Transfer) error {
	for i, l := range t.Lines {
		p, err := getPart(v, l.SKU)
		if err != nil {
			return err
		}
		if p == nil {
			return errf(CodeUnknownPart, "transfer.lines["+strconv.Itoa(i)+"].sku", "no part %q", l.SKU)
		}
	}
	return nil
}

func approveTransfer(v *view, ev *Event) error {
	st, err := mustGetTransfer(v, ev.Ref)
	if err != nil {
		return err
	}
	if err := st.need(TransferRequested, TransferOutbound, "approved"); err != nil {
		return err
	}
	if err := defineTransit(v, ev, st.Number, st.To); err != nil {
		return err
	}
	if err := st.approve(ev); err != nil {
		return err
	}
	return putTransfer(v, st)
}

// transferBefore fills in what the store decides for a dispatch (the SSCC,
// the manifest, the lines out of transit) and defines an announced
// transfer's transit location, before the lines are checked like any
// stock event's.
func transferBefore(v *view, ev *Event) error {
	switch ev.Type {
	case EvTransferDispatched:
		st, err := mustGetTransfer(v, ev.Ref)
		if err != nil {
			return err
		}
		if err := st.need(TransferApproved, TransferOutbound, "shipped"); err != nil {
			return err
		}
		if len(st.Manifest) == 0 {
			return errf(CodeTransferState, "ref", "nothing has been picked for transfer %s", st.Number)
		}
		sh := *ev.Shipment
		// The serial reference is the event's seq: unique in the depot's
		// log, and the SSCC is in the event, so nothing else must be kept.
		sh.SSCC = NewSSCC(sh.ExtensionDigit, sh.CompanyPrefix, ev.Seq)
		sh.Lines = make([]ShipmentLine, 0, len(st.Manifest))
		for _, m := range st.Manifest {
			if m.Lot != "" {
				var lot Lot
				if _, err := v.getJSON(join(pLot, m.SKU, m.Lot), &lot); err != nil {
					return err
				}
				m.Expiry = lot.Expiry
			}
			sh.Lines = append(sh.Lines, m)
		}
		ev.Shipment = &sh
		ev.Lines = st.dispatchLines()
	case EvTransferAnnounced:
		if ev.Transfer.To != ev.Depot {
			return errf(CodeInvalid, "transfer.to", "this depot is %s: a transfer announced here comes to it, not to %s", ev.Depot, ev.Transfer.To)
		}
		old, err := getTransfer(v, ev.Transfer.Number)
		if err != nil {
			return err
		}
		if old != nil {
			// Only an inbound order sent ahead is continued; anything else
			// under that number is another document.
			if err := old.canAnnounce(ev.Transfer); err != nil {
				return err
			}
		}
		if err := transferPartsKnown(v, ev.Transfer); err != nil {
			return err
		}
		return defineTransit(v, ev, ev.Transfer.Number, ev.Transfer.To)
	}
	return nil
}

// transferAfter holds a checked stock event to the transfer its ref names
// and stages the transfer's new state. Transit stock leaves only against
// its own transfer.
func transferAfter(v *view, ev *Event) error {
	switch ev.Type {
	case EvTransferAnnounced:
		st, err := getTransfer(v, ev.Transfer.Number)
		if err != nil {
			return err
		}
		if st == nil {
			return putTransfer(v, newTransferState(ev))
		}
		if err := st.announce(ev); err != nil {
			return err
		}
		return putTransfer(v, st)
	case EvTransferDispatched, EvTransferClosed:
		st, err := mustGetTransfer(v, ev.Ref)
		if err != nil {
			return err
		}
		switch {
		case ev.Type == EvTransferDispatched:
			if err := st.dispatch(ev); err != nil {
				return err
			}
		case st.Direction == TransferOutbound && ev.TransferReport != nil:
			if err := st.settleOutbound(ev); err != nil {
				return err
			}
		case ev.TransferReport != nil:
			return errf(CodeInvalid, "transferReport", "transfer %s is inbound here: its close computes its own report", st.Number)
		default:
			rep, err := st.closeReceipt(ev)
			if err != nil {
				return err
			}
			ev.TransferReport = &rep
		}
		return putTransfer(v, st)
	case EvTransferShipped, EvTransferReceived, EvReceipt, EvScrap:
	default:
		return nil
	}
	if err := transitOfAnother(v, ev); err != nil {
		return err
	}
	var st *TransferState
	if ev.Ref != "" {
		var err error
		if st, err = getTransfer(v, ev.Ref); err != nil {
			return err
		}
	}
	held := false
	if st != nil {
		var err *Error
		if held, err = st.step(ev); err != nil {
			return err
		}
	}
	if ev.Type == EvScrap && !held {
		for i, l := range ev.Lines {
			loc, err := getLocation(v, l.From)
			if err != nil {
				return err
			}
			if loc != nil && loc.Kind == KindTransit {
				return errf(CodeLocationKind, lineField(i)+".from", "stock in transit is written off only against its transfer (ref)")
			}
		}
	}
	if !held {
		return nil
	}
	return putTransfer(v, st)
}

// transitOfAnother refuses a transfer shipment or receipt through the
// transit location of a transfer its ref does not name: that stock is
// accounted to the transfer, and only the transfer's own events move it.
func transitOfAnother(v *view, ev *Event) error {
	if ev.Type != EvTransferShipped && ev.Type != EvTransferReceived {
		return nil
	}
	for i, l := range ev.Lines {
		code, end := l.To, ".to"
		if ev.Type == EvTransferReceived {
			code, end = l.From, ".from"
		}
		number, ok := strings.CutPrefix(code, TransitPrefix)
		if !ok || number == ev.Ref {
			continue
		}
		other, err := getTransfer(v, number)
		if err != nil {
			return err
		}
		if other != nil {
			return errf(CodeLocationKind, lineField(i)+end, "%s is the transit location of transfer %s, not of %s", code, number, ev.Ref)
		}
	}
	return nil
}

// replayTransfer carries one event into the transfers' states with the
// step HQ's replica uses too (StepTransfer), and reports events the
// transfer rules would have refused.
func replayTransfer(ev *Event, states map[string]*TransferState, r *VerifyReport) {
	number := ev.Ref
	switch ev.Type {
	case EvTransferRequested, EvTransferAnnounced:
		if ev.Transfer == nil || (ev.Type == EvTransferAnnounced && ev.Shipment == nil) {
			r.problem("event %d: %s without its transfer", ev.Seq, ev.Type)
			return
		}
		here := ev.Transfer.To == ev.Depot || (ev.Type == EvTransferRequested && ev.Transfer.From == ev.Depot)
		if !here {
			r.problem("event %d: %s of transfer %s from %s to %s at depot %s", ev.Seq, ev.Type, ev.Transfer.Number, ev.Transfer.From, ev.Transfer.To, ev.Depot)
		}
		number = ev.Transfer.Number
	case EvTransferShipped, EvTransferReceived:
		for _, l := range ev.Lines {
			for _, code := range []string{l.From, l.To} {
				if n, ok := strings.CutPrefix(code, TransitPrefix); ok && n != ev.Ref && states[n] != nil {
					r.problem("event %d: %s through %s, the transit location of transfer %s", ev.Seq, ev.Type, code, n)
				}
			}
		}
	}
	st := states[number]
	if st == nil && isTransferDoc(ev.Type) && ev.Type != EvTransferRequested && ev.Type != EvTransferAnnounced {
		r.problem("event %d: %s of transfer %s, which does not exist", ev.Seq, ev.Type, ev.Ref)
		return
	}
	inboundClose := st != nil && ev.Type == EvTransferClosed && st.Direction == TransferInbound
	next, held, err := StepTransfer(st, ev)
	if err != nil {
		r.problem("event %d: %s on transfer %s: %v", ev.Seq, ev.Type, number, err)
		return
	}
	if !held || next == nil {
		return
	}
	states[number] = next
	if inboundClose {
		// The store wrote the report it computed on the event.
		if want, got, same := jsonDiff(next.report(), ev.TransferReport); !same {
			r.problem("event %d: report of transfer %s is %s, the log says %s", ev.Seq, ev.Ref, got, want)
		}
	}
}
