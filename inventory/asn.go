package inventory

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/dgraph-io/badger/v4"
)

// An advance shipping notice (ASN, the EDI DESADV) tells the depot what a
// supplier put on each pallet of a delivery against a purchase order, each
// pallet named by its SSCC. Announcing it is an asn-announced event; at the
// dock one scan of a pallet's SSCC label then receives its whole content as
// one receipt event that names the SSCC. The pallets' state (which came in,
// by which event) is derived from the log and kept under pASN, with an
// index from SSCC to notice under pSSCC, and Verify recomputes both.

// ShippingNotice is what an asn-announced event carries.
type ShippingNotice struct {
	// Number is the supplier's despatch advice number; the event's ref
	// carries the purchase order, so the order's history shows its notices.
	Number string `json:"number"`
	// Order is the purchase order the delivery is against.
	Order string `json:"order"`
	// Shipped is the day the supplier despatched it, YYYY-MM-DD; optional.
	Shipped string   `json:"shipped,omitempty"`
	Pallets []Pallet `json:"pallets"`
}

// Pallet is one logistic unit of a notice: its SSCC and what is on it.
type Pallet struct {
	SSCC  string       `json:"sscc"`
	Lines []PalletLine `json:"lines"`
}

// PalletLine is one part on a pallet, with the lot, expiry and serials the
// supplier declared, as a receipt line would carry them.
type PalletLine struct {
	SKU     string   `json:"sku"`
	Qty     int64    `json:"qty"`
	Lot     string   `json:"lot,omitempty"`
	Expiry  string   `json:"expiry,omitempty"`
	Serials []string `json:"serials,omitempty"`
}

// PalletState is a pallet of a notice with whether it has come in.
type PalletState struct {
	Pallet
	// ReceivedSeq is the receipt event that took the pallet in; 0 while it
	// is expected.
	ReceivedSeq uint64 `json:"receivedSeq,omitempty"`
	ReceivedTo  string `json:"receivedTo,omitempty"`
}

// NoticeState is a shipping notice as the log leaves it.
type NoticeState struct {
	Number     string        `json:"number"`
	Order      string        `json:"order"`
	Shipped    string        `json:"shipped,omitempty"`
	CreatedSeq uint64        `json:"createdSeq"`
	Pallets    []PalletState `json:"pallets"`
	// Expected counts the pallets not yet received.
	Expected int `json:"expected"`
}

func asnKey(number string) []byte { return join(pASN, number) }
func ssccKey(sscc string) []byte  { return join(pSSCC, sscc) }

func palletField(i int) string { return "notice.pallets[" + strconv.Itoa(i) + "]" }

// ValidSSCC reports whether s is an 18-digit SSCC with a right GS1 check
// digit (GS1 General Specifications 2.2.1, 7.9.1).
func ValidSSCC(s string) bool { return len(s) == 18 && gs1CheckDigitOK(s) }

// checkASN validates an asn-announced command without stored state. The
// purchase order may be given as the ref, in the notice, or both (then
// equal).
func (c *Command) checkASN() error {
	if c.Notice == nil {
		return errf(CodeInvalid, "notice", "is required for %s", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil || c.SSCC != "" {
		return errf(CodeInvalid, "lines", "%s carries only a notice", c.Type)
	}
	n := *c.Notice
	switch {
	case n.Order == "":
		n.Order = c.Ref
	case c.Ref == "":
		c.Ref = n.Order
	}
	if err := checkCode("notice.number", n.Number); err != nil {
		return err
	}
	if err := checkCode("notice.order", n.Order); err != nil {
		return err
	}
	if n.Order != c.Ref {
		return errf(CodeInvalid, "ref", "is %q but the notice is against order %q", c.Ref, n.Order)
	}
	if n.Shipped != "" {
		if _, ok := ParseDate(n.Shipped); !ok {
			return errf(CodeInvalid, "notice.shipped", "%q is not a YYYY-MM-DD date", n.Shipped)
		}
	}
	if len(n.Pallets) == 0 {
		return errf(CodeInvalid, "notice.pallets", "at least one pallet is required")
	}
	lines, serials := 0, 0
	seen := map[string]bool{}
	n.Pallets = slices.Clone(n.Pallets)
	for i := range n.Pallets {
		p := &n.Pallets[i]
		f := palletField(i)
		if !ValidSSCC(p.SSCC) {
			return errf(CodeInvalid, f+".sscc", "%q is not an 18-digit SSCC with a valid check digit", p.SSCC)
		}
		if seen[p.SSCC] {
			return errf(CodeInvalid, f+".sscc", "SSCC %s is listed twice", p.SSCC)
		}
		seen[p.SSCC] = true
		if len(p.Lines) == 0 {
			return errf(CodeInvalid, f+".lines", "a pallet carries at least one line")
		}
		p.Lines = slices.Clone(p.Lines)
		for j := range p.Lines {
			// A pallet line is checked as the receipt line it will become.
			rl := p.Lines[j].receiptLine("-")
			if err := rl.check(f+".lines["+strconv.Itoa(j)+"]", EvReceipt, lineRules[EvReceipt]); err != nil {
				return err
			}
			p.Lines[j].Serials = rl.Serials
			serials += len(rl.Serials)
		}
		lines += len(p.Lines)
	}
	if lines > MaxLines {
		return errf(CodeInvalid, "notice.pallets", "at most %d lines per notice", MaxLines)
	}
	if serials > MaxSerials {
		return errf(CodeInvalid, "notice.pallets", "at most %d serials per notice", MaxSerials)
	}
	c.Notice = &n
	return nil
}

// receiptLine is the receipt line that takes the pallet line into to.
func (l PalletLine) receiptLine(to string) Line {
	return Line{SKU: l.SKU, Qty: l.Qty, To: to, Lot: l.Lot, Expiry: l.Expiry, Serials: l.Serials}
}

// ReceiptLines are the receipt lines that take a pallet's whole content
// into one location: what a dock books when the pallet's SSCC is scanned.
func (p Pallet) ReceiptLines(to string) []Line {
	out := make([]Line, len(p.Lines))
	for i, l := range p.Lines {
		out[i] = l.receiptLine(to)
	}
	return out
}

// matches reports whether a receipt's lines are exactly the pallet's
// content, in its order, into one location.
func (p Pallet) matches(lines []Line) bool {
	if len(lines) != len(p.Lines) || len(lines) == 0 {
		return false
	}
	to := lines[0].To
	for i, l := range lines {
		want := p.Lines[i]
		if l.To != to || l.SKU != want.SKU || l.Qty != want.Qty || l.Lot != want.Lot ||
			l.Expiry != want.Expiry || !slices.Equal(l.Serials, want.Serials) || l.Condition != "" || l.FromReserved {
			return false
		}
	}
	return true
}

func newNoticeState(ev *Event) *NoticeState {
	n := ev.Notice
	st := &NoticeState{Number: n.Number, Order: n.Order, Shipped: n.Shipped, CreatedSeq: ev.Seq,
		Pallets: make([]PalletState, len(n.Pallets)), Expected: len(n.Pallets)}
	for i, p := range n.Pallets {
		st.Pallets[i] = PalletState{Pallet: p}
	}
	return st
}

// pallet finds a pallet of the notice by SSCC.
func (st *NoticeState) pallet(sscc string) *PalletState {
	for i := range st.Pallets {
		if st.Pallets[i].SSCC == sscc {
			return &st.Pallets[i]
		}
	}
	return nil
}

// receive marks the pallet received by ev. The caller has checked it.
func (st *NoticeState) receive(p *PalletState, ev *Event) {
	p.ReceivedSeq = ev.Seq
	p.ReceivedTo = ev.Lines[0].To
	st.Expected--
}

func getNotice(v *view, number string) (*NoticeState, error) {
	var st NoticeState
	ok, err := v.getJSON(asnKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

// announceASN holds a notice to its order: the order is open, every part
// on the pallets is on it with the tracking the part has, and no SSCC was
// announced before (an SSCC names one logistic unit for a year at least).
func announceASN(v *view, ev *Event) error {
	n := ev.Notice
	if old, err := getNotice(v, n.Number); err != nil {
		return err
	} else if old != nil {
		return errf(CodeDocumentExists, "notice.number", "shipping notice %s exists (event %d)", n.Number, old.CreatedSeq)
	}
	po, err := getPO(v, n.Order)
	if err != nil {
		return err
	}
	if po == nil {
		return errf(CodeNotFound, "notice.order", "no purchase order %q", n.Order)
	}
	if po.Status == POClosed {
		return errf(CodeDocumentClosed, "notice.order", "purchase order %s was closed by event %d", po.Number, po.ClosedSeq)
	}
	for i, p := range n.Pallets {
		f := palletField(i)
		owner, taken, err := v.get(ssccKey(p.SSCC))
		if err != nil {
			return err
		}
		if taken {
			return errf(CodeDocumentExists, f+".sscc", "SSCC %s was announced by shipping notice %s", p.SSCC, owner)
		}
		for j, l := range p.Lines {
			lf := f + ".lines[" + strconv.Itoa(j) + "]"
			if _, code := po.eligible(l.SKU, l.Lot); code == CodeNotOnOrder {
				return errf(code, lf+".sku", "%s is not on purchase order %s", l.SKU, po.Number)
			}
			part, err := getPart(v, l.SKU)
			if err != nil {
				return err
			}
			if err := palletTracking(part, l, lf); err != nil {
				return err
			}
		}
		v.set(ssccKey(p.SSCC), []byte(n.Number))
	}
	return v.setJSON(asnKey(n.Number), newNoticeState(ev))
}

// palletTracking checks a declared line against its part's tracking the way
// the receipt will, so a notice that could never be received is refused
// when it is announced rather than at the dock.
func palletTracking(p *Part, l PalletLine, f string) error {
	switch {
	case p == nil:
		return errf(CodeUnknownPart, f+".sku", "no part %q", l.SKU)
	case p.Tracking == TrackSerial && len(l.Serials) == 0:
		return errf(CodeTracking, f+".serials", "%s is serial-tracked: list the serials", p.SKU)
	case p.Tracking == TrackLot && l.Lot == "":
		return errf(CodeTracking, f+".lot", "%s is lot-tracked: name the lot", p.SKU)
	case p.Tracking != TrackLot && (l.Lot != "" || l.Expiry != ""):
		return errf(CodeTracking, f+".lot", "%s is not lot-tracked", p.SKU)
	case p.Tracking != TrackSerial && len(l.Serials) > 0:
		return errf(CodeTracking, f+".serials", "%s is not serial-tracked", p.SKU)
	}
	return nil
}

// receivePallet holds a receipt that names an SSCC to its pallet: the
// pallet was announced against the receipt's order, has not come in, and
// the receipt takes exactly its content. The order's own rules (tolerance,
// lots, expiry) then apply as to any receipt against it.
func receivePallet(v *view, ev *Event) error {
	number, ok, err := v.get(ssccKey(ev.SSCC))
	if err != nil {
		return err
	}
	if !ok {
		return errf(CodePalletUnknown, "sscc", "no shipping notice announced pallet %s", ev.SSCC)
	}
	st, err := getNotice(v, string(number))
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("SSCC %s points at missing shipping notice %s", ev.SSCC, number)
	}
	p := st.pallet(ev.SSCC)
	switch {
	case p == nil:
		return fmt.Errorf("shipping notice %s does not hold pallet %s it is indexed by", st.Number, ev.SSCC)
	case st.Order != ev.Ref:
		return errf(CodePalletUnknown, "sscc", "pallet %s is announced for purchase order %s, not %s", ev.SSCC, st.Order, ev.Ref)
	case p.ReceivedSeq != 0:
		return errf(CodePalletReceived, "sscc", "pallet %s was received by event %d into %s", ev.SSCC, p.ReceivedSeq, p.ReceivedTo)
	case !p.Pallet.matches(ev.Lines):
		return errf(CodePalletMismatch, "lines", "a pallet is received whole: the lines must be pallet %s's content as announced by %s", ev.SSCC, st.Number)
	}
	st.receive(p, ev)
	return v.setJSON(asnKey(st.Number), st)
}

// gs1CheckDigitOK checks the GS1 mod-10 check digit closing a numeric key.
func gs1CheckDigitOK(s string) bool {
	return len(s) >= 2 && allDigits(s) && gs1CheckDigit(s[:len(s)-1]) == s[len(s)-1]
}

// ShippingNotice returns a notice with which of its pallets have come in.
func (s *Store) ShippingNotice(number string) (NoticeState, error) {
	return viewDoc[NoticeState](s, asnKey(number), "shipping notice", "no shipping notice %q", number)
}

// ShippingNotices lists the notices against one purchase order, or all when
// order is empty, in number order; a depot has a few per order.
func (s *Store) ShippingNotices(order string, pg Page) ([]NoticeState, error) {
	out := []NoticeState{}
	full := errors.New("page full")
	err := s.scan([]byte{pASN}, pg.After, 1<<30, true, func(_, v []byte) error {
		if len(out) >= pg.limit() {
			return full
		}
		var st NoticeState
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("decode shipping notice: %w", err)
		}
		if order == "" || st.Order == order {
			out = append(out, st)
		}
		return nil
	})
	if errors.Is(err, full) {
		err = nil
	}
	return out, err
}

// PalletBySSCC finds an announced pallet and the notice that announced it.
func (s *Store) PalletBySSCC(sscc string) (NoticeState, PalletState, error) {
	var number []byte
	err := s.read(func(txn *badger.Txn) error {
		item, err := txn.Get(ssccKey(sscc))
		if err != nil {
			return err
		}
		number, err = item.ValueCopy(nil)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return NoticeState{}, PalletState{}, errf(CodePalletUnknown, "sscc", "no shipping notice announced pallet %s", sscc)
	}
	if err != nil {
		return NoticeState{}, PalletState{}, err
	}
	st, err := s.ShippingNotice(string(number))
	if err != nil {
		return st, PalletState{}, err
	}
	p := st.pallet(sscc)
	if p == nil {
		return st, PalletState{}, fmt.Errorf("shipping notice %s does not hold pallet %s it is indexed by", st.Number, sscc)
	}
	return st, *p, nil
}
