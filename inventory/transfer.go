package inventory

import (
	"slices"
	"strconv"
	"strings"
)

// Transfers between depots are documents in each depot's own log. Each
// ledger holds only its own stock, so one transfer T is two documents:
//
// At the source depot (outbound): transfer-requested opens T,
// transfer-approved approves it and defines T's transit location (the event
// carries the location, so the log alone rebuilds it), transfer-shipped
// events (Ref T) pick stock from bins into the transit location, held to
// T's lines with no tolerance, and transfer-dispatched seals the shipment:
// the store assigns an SSCC, records the manifest and takes the transit
// stock out of the depot's ledger, since the goods have left it.
//
// At the destination depot (inbound): transfer-announced books the
// manifest into T's transit location there (incoming stock),
// transfer-received events (Ref T) move it from transit into bins, a
// receipt with Ref T books units found beyond the manifest (over), and
// transfer-closed ends receiving: damaged units go from transit to
// quarantine or defective, and the event records the discrepancy report.
// What is still in transit after that is short, and leaves only through an
// explicit write-off: scrap events from the transit location with Ref T.
// When nothing is left the transfer is closed.
//
// The running state is derived from the log and kept under pTransfer in the
// same transaction; Verify replays it with the very same step functions.

// TransferStatus is where a transfer is in its life at one depot.
type TransferStatus string

const (
	TransferRequested TransferStatus = "requested"
	TransferApproved  TransferStatus = "approved"
	// TransferShipped: sealed and on the way (outbound), or announced and
	// not yet closed for receipt (inbound).
	TransferShipped TransferStatus = "shipped"
	// TransferReceived: receipt closed, a short remainder awaits write-off.
	TransferReceived TransferStatus = "received"
	TransferClosed   TransferStatus = "closed"
)

// TransferDirection says which end of a transfer this depot is.
type TransferDirection string

const (
	TransferOutbound TransferDirection = "outbound"
	TransferInbound  TransferDirection = "inbound"
)

// TransitPrefix starts the code of every transfer's transit location.
const TransitPrefix = "TRANSIT-"

// MaxTransferNumberLen keeps TRANSIT-<number> within MaxCodeLen.
const MaxTransferNumberLen = MaxCodeLen - len(TransitPrefix)

// TransitLocation is the code of transfer number's transit location.
func TransitLocation(number string) string { return TransitPrefix + number }

// Transfer is what transfer-requested and transfer-announced carry.
type Transfer struct {
	Number string `json:"number"`
	// From and To are the source and destination depots' ids.
	From string `json:"from"`
	To   string `json:"to"`
	// Expected is the day the goods are due at the destination, YYYY-MM-DD.
	Expected string         `json:"expected,omitempty"`
	Lines    []TransferLine `json:"lines"`
}

// TransferLine is one requested part; a part is on a transfer once.
type TransferLine struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// ShipmentLine is one part, lot or set of serials in a sealed shipment.
type ShipmentLine struct {
	SKU     string   `json:"sku"`
	Qty     int64    `json:"qty"`
	Lot     string   `json:"lot,omitempty"`
	Expiry  string   `json:"expiry,omitempty"`
	Serials []string `json:"serials,omitempty"`
}

// Shipment is a sealed transfer shipment: its SSCC and manifest. On a
// transfer-dispatched command only CompanyPrefix and ExtensionDigit are
// given; the store fills in the rest. transfer-announced carries the
// manifest the source sealed.
type Shipment struct {
	SSCC           string         `json:"sscc,omitempty"`
	CompanyPrefix  string         `json:"companyPrefix,omitempty"`
	ExtensionDigit int            `json:"extensionDigit,omitempty"`
	Lines          []ShipmentLine `json:"lines,omitempty"`
}

// TransferLineState is one line of a transfer with what happened to it.
type TransferLineState struct {
	SKU        string `json:"sku"`
	Requested  int64  `json:"requested"`
	Shipped    int64  `json:"shipped"`
	Received   int64  `json:"received"`
	Damaged    int64  `json:"damaged"`
	Over       int64  `json:"over"`
	Short      int64  `json:"short"`
	WrittenOff int64  `json:"writtenOff"`
}

// TransferState is a transfer as this depot's log leaves it.
type TransferState struct {
	Number       string              `json:"number"`
	Direction    TransferDirection   `json:"direction"`
	From         string              `json:"from"`
	To           string              `json:"to"`
	Expected     string              `json:"expected,omitempty"`
	Status       TransferStatus      `json:"status"`
	Transit      string              `json:"transit,omitempty"`
	SSCC         string              `json:"sscc,omitempty"`
	RequestedBy  string              `json:"requestedBy,omitempty"`
	CreatedSeq   uint64              `json:"createdSeq"`
	ApprovedBy   string              `json:"approvedBy,omitempty"`
	ApprovedSeq  uint64              `json:"approvedSeq,omitempty"`
	ShippedSeq   uint64              `json:"shippedSeq,omitempty"`
	ReceivedSeq  uint64              `json:"receivedSeq,omitempty"`
	ClosedSeq    uint64              `json:"closedSeq,omitempty"`
	Lines        []TransferLineState `json:"lines"`
	Manifest     []ShipmentLine      `json:"manifest"`
	ReceiptNotes string              `json:"receiptNotes,omitempty"`
}

// TransferReport is a transfer's discrepancy report: per line what was
// shipped, received, damaged, over and short, and the totals.
type TransferReport struct {
	Number   string              `json:"number"`
	Lines    []TransferLineState `json:"lines"`
	Shipped  int64               `json:"shipped"`
	Received int64               `json:"received"`
	Damaged  int64               `json:"damaged"`
	Over     int64               `json:"over"`
	Short    int64               `json:"short"`
}

func transferKey(number string) []byte { return join(pTransfer, number) }

// isTransferDoc reports whether t is one of the transfer document events.
func isTransferDoc(t EventType) bool {
	switch t {
	case EvTransferRequested, EvTransferApproved, EvTransferDispatched, EvTransferAnnounced, EvTransferClosed:
		return true
	}
	return false
}

func (c *Command) checkTransfer() error {
	if c.Part != nil || c.Location != nil {
		return errf(CodeInvalid, "part", "%s carries no part or location", c.Type)
	}
	if c.Transfer != nil && c.Type != EvTransferRequested && c.Type != EvTransferAnnounced {
		return errf(CodeInvalid, "transfer", "only %s and %s carry a transfer", EvTransferRequested, EvTransferAnnounced)
	}
	if c.Shipment != nil && c.Type != EvTransferDispatched && c.Type != EvTransferAnnounced {
		return errf(CodeInvalid, "shipment", "only %s and %s carry a shipment", EvTransferDispatched, EvTransferAnnounced)
	}
	switch c.Type {
	case EvTransferRequested, EvTransferAnnounced:
		if err := c.checkTransferDoc(); err != nil {
			return err
		}
		if c.Type == EvTransferRequested {
			if len(c.Lines) > 0 || c.Shipment != nil {
				return errf(CodeInvalid, "lines", "%s carries only a transfer", c.Type)
			}
			return nil
		}
		return c.checkAnnounced()
	}
	if c.Ref == "" {
		return errf(CodeInvalid, "ref", "%s must name the transfer", c.Type)
	}
	switch c.Type {
	case EvTransferApproved:
		if len(c.Lines) > 0 {
			return errf(CodeInvalid, "lines", "%s carries only the transfer's ref", c.Type)
		}
	case EvTransferDispatched:
		if len(c.Lines) > 0 {
			return errf(CodeInvalid, "lines", "the store takes the shipment's lines from what was shipped")
		}
		if c.Shipment == nil {
			return errf(CodeInvalid, "shipment", "is required: name the GS1 company prefix of the SSCC")
		}
		sh := *c.Shipment
		if sh.SSCC != "" || len(sh.Lines) > 0 {
			return errf(CodeInvalid, "shipment", "give only companyPrefix and extensionDigit: the store assigns the SSCC")
		}
		if n := len(sh.CompanyPrefix); n < 6 || n > 12 || !allDigits(sh.CompanyPrefix) {
			return errf(CodeInvalid, "shipment.companyPrefix", "must be a GS1 company prefix of 6 to 12 digits")
		}
		if sh.ExtensionDigit < 0 || sh.ExtensionDigit > 9 {
			return errf(CodeInvalid, "shipment.extensionDigit", "must be a digit 0-9")
		}
		c.Shipment = &sh
	case EvTransferClosed:
		if c.TransferReport != nil {
			// The source settling: it records the destination's report and
			// moves no stock, so the report is all it carries.
			if len(c.Lines) > 0 {
				return errf(CodeInvalid, "lines", "a settlement carries only the destination's report")
			}
			rep, err := checkTransferReport(c.TransferReport, c.Ref)
			if err != nil {
				return err
			}
			c.TransferReport = rep
			return nil
		}
		// Its lines are the damaged units: from transit to quarantine or
		// defective. None is fine: everything came, or the rest is short.
		if err := c.checkStockLines(lineRules[c.Type]); err != nil {
			return err
		}
	}
	return nil
}

// checkTransferDoc validates the transfer a request or announcement carries;
// like a purchase order, its number is the ref, given in either or both.
func (c *Command) checkTransferDoc() error {
	if c.Transfer == nil {
		return errf(CodeInvalid, "transfer", "is required for %s", c.Type)
	}
	t := *c.Transfer
	if err := c.checkDocNumber("transfer.number", "transfer", &t.Number, MaxTransferNumberLen); err != nil {
		return err
	}
	if err := checkCode("transfer.from", t.From); err != nil {
		return err
	}
	if err := checkCode("transfer.to", t.To); err != nil {
		return err
	}
	if t.From == t.To {
		return errf(CodeInvalid, "transfer.to", "a transfer goes to another depot")
	}
	if t.Expected != "" {
		if _, ok := ParseDate(t.Expected); !ok {
			return errf(CodeInvalid, "transfer.expected", "%q is not a YYYY-MM-DD date", t.Expected)
		}
	}
	if err := checkDocLineCount("transfer.lines", "transfer", len(t.Lines)); err != nil {
		return err
	}
	seen := make(map[string]bool, len(t.Lines))
	for i, l := range t.Lines {
		f := "transfer.lines[" + strconv.Itoa(i) + "]"
		if err := checkCode(f+".sku", l.SKU); err != nil {
			return err
		}
		if seen[l.SKU] {
			return errf(CodeInvalid, f+".sku", "%s is listed twice", l.SKU)
		}
		seen[l.SKU] = true
		if l.Qty <= 0 || l.Qty > MaxQuantity {
			return errf(CodeInvalid, f+".qty", "must be between 1 and %d", MaxQuantity)
		}
	}
	t.Lines = slices.Clone(t.Lines)
	c.Transfer = &t
	return nil
}

// checkAnnounced validates an inbound shipment's manifest and turns it into
// the event's stock lines: everything enters T's transit location here.
func (c *Command) checkAnnounced() error {
	if len(c.Lines) > 0 {
		return errf(CodeInvalid, "lines", "the store takes the lines from the shipment's manifest")
	}
	if c.Shipment == nil {
		return errf(CodeInvalid, "shipment", "is required: the manifest the source depot sealed")
	}
	sh := *c.Shipment
	if _, e := parseSSCC(sh.SSCC); e != nil {
		return e.At("shipment.sscc")
	}
	if sh.CompanyPrefix != "" && !strings.HasPrefix(sh.SSCC[1:], sh.CompanyPrefix) {
		return errf(CodeInvalid, "shipment.companyPrefix", "the SSCC does not carry company prefix %s", sh.CompanyPrefix)
	}
	if len(sh.Lines) == 0 {
		return errf(CodeInvalid, "shipment.lines", "the manifest is empty")
	}
	onT := map[string]bool{}
	for _, l := range c.Transfer.Lines {
		onT[l.SKU] = true
	}
	transit := TransitLocation(c.Transfer.Number)
	lines := make([]Line, 0, len(sh.Lines))
	for i, l := range sh.Lines {
		if !onT[l.SKU] {
			return errf(CodeNotOnTransfer, "shipment.lines["+strconv.Itoa(i)+"].sku", "%s is not on transfer %s", l.SKU, c.Transfer.Number)
		}
		lines = append(lines, Line{SKU: l.SKU, Qty: l.Qty, To: transit, Lot: l.Lot, Expiry: l.Expiry, Serials: l.Serials})
	}
	sh.Lines = slices.Clone(sh.Lines)
	c.Shipment = &sh
	c.Lines = lines
	if err := c.checkStockLines(lineRules[c.Type]); err != nil {
		// Name the manifest's field, which is what the caller sent.
		if e, ok := err.(*Error); ok {
			return e.At("shipment." + e.Field)
		}
		return err
	}
	return nil
}

// checkTransferReport checks what a report says on its own: it is the
// report of transfer ref, lists each part once with quantities in range,
// and adds up. It returns a copy, so the caller's value stays as it was.
// Both the command check and the settlement step run it: Verify holds a
// logged settlement to the same rules as the store did.
func checkTransferReport(r *TransferReport, ref string) (*TransferReport, *Error) {
	if r.Number != ref {
		return nil, errf(CodeInvalid, "transferReport.number", "is %q: a settlement of transfer %s carries that transfer's report", r.Number, ref)
	}
	if n := len(r.Lines); n == 0 || n > MaxLines {
		return nil, errf(CodeInvalid, "transferReport.lines", "must list 1 to %d parts", MaxLines)
	}
	var sum TransferReport
	seen := make(map[string]bool, len(r.Lines))
	for i, l := range r.Lines {
		f := "transferReport.lines[" + strconv.Itoa(i) + "]"
		if err := checkCode(f+".sku", l.SKU); err != nil {
			return nil, err
		}
		if seen[l.SKU] {
			return nil, errf(CodeInvalid, f+".sku", "%s is listed twice", l.SKU)
		}
		seen[l.SKU] = true
		for _, q := range []struct {
			name string
			n    int64
		}{{"requested", l.Requested}, {"shipped", l.Shipped}, {"received", l.Received}, {"damaged", l.Damaged},
			{"over", l.Over}, {"short", l.Short}, {"writtenOff", l.WrittenOff}} {
			if q.n < 0 || q.n > MaxQuantity {
				return nil, errf(CodeInvalid, f+"."+q.name, "must be between 0 and %d", MaxQuantity)
			}
		}
		// Over-received units are booked apart at the destination (a
		// receipt), so they are not part of what was shipped.
		if l.Received+l.Damaged+l.Short != l.Shipped {
			return nil, errf(CodeInvalid, f, "received %d + damaged %d + short %d is not the %d shipped", l.Received, l.Damaged, l.Short, l.Shipped)
		}
		if l.WrittenOff > l.Short {
			return nil, errf(CodeInvalid, f+".writtenOff", "%d written off of %d short", l.WrittenOff, l.Short)
		}
		sum.Shipped += l.Shipped
		sum.Received += l.Received
		sum.Damaged += l.Damaged
		sum.Over += l.Over
		sum.Short += l.Short
	}
	if r.Shipped != sum.Shipped || r.Received != sum.Received || r.Damaged != sum.Damaged || r.Over != sum.Over || r.Short != sum.Short {
		return nil, errf(CodeInvalid, "transferReport", "the totals are not the sums of the lines")
	}
	out := *r
	out.Lines = slices.Clone(r.Lines)
	return &out, nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// gs1CheckDigit is the GS1 mod-10 check digit of data: weights 3, 1, 3 ...
// from the rightmost digit (GS1 General Specifications 7.9.1).
func gs1CheckDigit(data string) byte {
	sum := 0
	for i := len(data) - 1; i >= 0; i-- {
		d := int(data[i] - '0')
		if (len(data)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// NewSSCC builds an SSCC: the extension digit, the GS1 company prefix, the
// serial reference filling the 17 data digits, and the check digit.
func NewSSCC(extension int, companyPrefix string, serialRef uint64) string {
	digits := 16 - len(companyPrefix)
	ref := strconv.FormatUint(serialRef, 10)
	if len(ref) > digits {
		ref = ref[len(ref)-digits:]
	}
	data := strconv.Itoa(extension) + companyPrefix + strings.Repeat("0", digits-len(ref)) + ref
	return data + string(gs1CheckDigit(data))
}

// ParseSSCC checks an SSCC: 18 digits with a right check digit. It also
// takes the element string form "(00)" + 18 digits and "00" + 18 digits.
func ParseSSCC(s string) (string, error) {
	sscc, e := parseSSCC(s)
	if e != nil {
		return "", e
	}
	return sscc, nil
}

// parseSSCC is ParseSSCC with the refusal's type, for callers that name
// another field.
func parseSSCC(s string) (string, *Error) {
	s = strings.TrimPrefix(s, "(00)")
	if len(s) == 20 && strings.HasPrefix(s, "00") {
		s = s[2:]
	}
	if len(s) != 18 || !allDigits(s) {
		return "", errf(CodeInvalid, "sscc", "an SSCC is 18 digits")
	}
	if gs1CheckDigit(s[:17]) != s[17] {
		return "", errf(CodeInvalid, "sscc", "check digit of SSCC %s is wrong: want %c", s, gs1CheckDigit(s[:17]))
	}
	return s, nil
}

// --- the state steps, shared by the store and Verify ---

func newTransferState(ev *Event) *TransferState {
	t := ev.Transfer
	st := &TransferState{
		Number: t.Number, From: t.From, To: t.To, Expected: t.Expected, Status: TransferRequested,
		Direction: TransferOutbound, RequestedBy: ev.Actor, CreatedSeq: ev.Seq,
		Lines: make([]TransferLineState, 0, len(t.Lines)), Manifest: []ShipmentLine{},
	}
	for _, l := range t.Lines {
		st.Lines = append(st.Lines, TransferLineState{SKU: l.SKU, Requested: l.Qty})
	}
	switch {
	case ev.Type == EvTransferAnnounced:
		st.Direction = TransferInbound
		st.shipIn(ev)
	case t.To == ev.Depot:
		// HQ's order reaching the destination before the goods: an inbound
		// document that only says what is coming. Its transit location
		// waits for the announcement, which brings the goods into it.
		st.Direction = TransferInbound
	}
	return st
}

// shipIn books an announced manifest into an inbound transfer: it is on
// its way into T's transit location here.
func (st *TransferState) shipIn(ev *Event) {
	st.Status, st.ShippedSeq = TransferShipped, ev.Seq
	st.Transit, st.SSCC = TransitLocation(st.Number), ev.Shipment.SSCC
	for _, l := range ev.Shipment.Lines {
		st.line(l.SKU).Shipped += l.Qty
	}
	st.Manifest = slices.Clone(ev.Shipment.Lines)
	st.settle()
}

// canAnnounce says whether an announcement continues this transfer, the
// inbound order HQ sent ahead: the same two depots, and only parts the
// order asked for. The requested quantities stay the order's; the manifest
// says what actually comes.
func (st *TransferState) canAnnounce(t *Transfer) *Error {
	if st.Direction != TransferInbound || st.Status != TransferRequested {
		return errf(CodeDocumentExists, "ref", "transfer %s exists (event %d, %s %s)", st.Number, st.CreatedSeq, st.Direction, st.Status)
	}
	// A number naming another source is another transfer: the number is
	// taken, so it is refused like any second document. (Both name this
	// depot as the destination: the store checks that of each.)
	if t.From != st.From {
		return errf(CodeDocumentExists, "transfer.from", "transfer %s was ordered from %s (event %d), not from %s", st.Number, st.From, st.CreatedSeq, t.From)
	}
	for i, l := range t.Lines {
		if st.line(l.SKU) == nil {
			return errf(CodeNotOnTransfer, "transfer.lines["+strconv.Itoa(i)+"].sku", "%s is not on transfer %s as ordered (event %d)", l.SKU, st.Number, st.CreatedSeq)
		}
	}
	return nil
}

// announce continues an inbound order with the manifest the source sealed:
// from here on the transfer is received like one announced without an order.
func (st *TransferState) announce(ev *Event) *Error {
	if err := st.canAnnounce(ev.Transfer); err != nil {
		return err
	}
	if st.Expected == "" {
		st.Expected = ev.Transfer.Expected
	}
	st.shipIn(ev)
	return nil
}

func (st *TransferState) line(sku string) *TransferLineState {
	for i := range st.Lines {
		if st.Lines[i].SKU == sku {
			return &st.Lines[i]
		}
	}
	return nil
}

// settle recomputes what is short: shipped but neither received nor
// damaged. Over-received units do not cover a short line of the same part:
// they are booked apart and reported apart.
func (st *TransferState) settle() {
	for i := range st.Lines {
		l := &st.Lines[i]
		l.Short = max(l.Shipped-l.Received-l.Damaged, 0)
	}
}

func (st *TransferState) need(status TransferStatus, dir TransferDirection, what string) *Error {
	if st.Direction != dir {
		return errf(CodeTransferState, "ref", "transfer %s is %s here: it cannot be %s", st.Number, st.Direction, what)
	}
	if st.Status != status {
		return errf(CodeTransferState, "ref", "transfer %s is %s: it cannot be %s", st.Number, st.Status, what)
	}
	return nil
}

func (st *TransferState) approve(ev *Event) *Error {
	if err := st.need(TransferRequested, TransferOutbound, "approved"); err != nil {
		return err
	}
	if ev.Actor == st.RequestedBy {
		return errf(CodeSelfApproval, "ref", "%s requested transfer %s and may not approve it too", ev.Actor, st.Number)
	}
	if ev.Location == nil || ev.Location.Code != TransitLocation(st.Number) || ev.Location.Kind != KindTransit {
		return errf(CodeInvalid, "location", "approval defines transit location %s", TransitLocation(st.Number))
	}
	st.Status, st.ApprovedBy, st.ApprovedSeq, st.Transit = TransferApproved, ev.Actor, ev.Seq, ev.Location.Code
	return nil
}

// ship holds a transfer-shipped event to the transfer: approved, not yet
// sealed, into its transit location, parts on it and no more than asked.
func (st *TransferState) ship(ev *Event) *Error {
	if err := st.need(TransferApproved, TransferOutbound, "picked"); err != nil {
		return err
	}
	for i, l := range ev.Lines {
		f := lineField(i)
		if l.To != st.Transit {
			return errf(CodeLocationKind, f+".to", "transfer %s ships into %s", st.Number, st.Transit)
		}
		tl := st.line(l.SKU)
		if tl == nil {
			return errf(CodeNotOnTransfer, f+".sku", "%s is not on transfer %s", l.SKU, st.Number)
		}
		if tl.Shipped+l.Qty > tl.Requested {
			return errf(CodeOverShipped, f+".qty", "transfer %s asks for %d of %s; %d shipped, %d more is too many",
				st.Number, tl.Requested, l.SKU, tl.Shipped, l.Qty)
		}
		tl.Shipped += l.Qty
		st.addManifest(l)
	}
	return nil
}

// addManifest merges a shipped line into the manifest by part and lot.
func (st *TransferState) addManifest(l Line) {
	for i := range st.Manifest {
		m := &st.Manifest[i]
		if m.SKU == l.SKU && m.Lot == l.Lot {
			m.Qty += l.Qty
			m.Serials = append(m.Serials, l.Serials...)
			return
		}
	}
	st.Manifest = append(st.Manifest, ShipmentLine{SKU: l.SKU, Qty: l.Qty, Lot: l.Lot, Serials: slices.Clone(l.Serials)})
}

// dispatchLines are the lines a transfer-dispatched event takes out of the
// transit location: the whole manifest.
func (st *TransferState) dispatchLines() []Line {
	out := make([]Line, 0, len(st.Manifest))
	for _, m := range st.Manifest {
		out = append(out, Line{SKU: m.SKU, Qty: m.Qty, From: st.Transit, Lot: m.Lot, Serials: slices.Clone(m.Serials)})
	}
	return out
}

// dispatch seals the shipment. The event must carry the manifest and the
// lines out of transit that match what was shipped.
func (st *TransferState) dispatch(ev *Event) *Error {
	if err := st.need(TransferApproved, TransferOutbound, "shipped"); err != nil {
		return err
	}
	if len(st.Manifest) == 0 {
		return errf(CodeTransferState, "ref", "nothing has been picked for transfer %s", st.Number)
	}
	if ev.Shipment == nil || len(ev.Shipment.Lines) != len(st.Manifest) || len(ev.Lines) != len(st.Manifest) {
		return errf(CodeInvalid, "shipment", "the shipment must list what was picked")
	}
	want := st.dispatchLines()
	for i, m := range st.Manifest {
		got := ev.Shipment.Lines[i]
		l := ev.Lines[i]
		if got.SKU != m.SKU || got.Lot != m.Lot || got.Qty != m.Qty || !slices.Equal(got.Serials, m.Serials) ||
			l.SKU != want[i].SKU || l.Lot != want[i].Lot || l.Qty != want[i].Qty || l.From != want[i].From ||
			!slices.Equal(l.Serials, want[i].Serials) {
			return errf(CodeInvalid, "shipment", "line %d differs from what was picked", i)
		}
	}
	if _, e := parseSSCC(ev.Shipment.SSCC); e != nil {
		return e.At("shipment.sscc")
	}
	st.Status, st.ShippedSeq, st.SSCC = TransferShipped, ev.Seq, ev.Shipment.SSCC
	st.Manifest = slices.Clone(ev.Shipment.Lines)
	return nil
}

// receive holds a transfer-received event to an inbound transfer: open for
// receipt, out of its transit location. The balances already refuse more
// than is in transit.
func (st *TransferState) receive(ev *Event) *Error {
	if err := st.need(TransferShipped, TransferInbound, "received"); err != nil {
		return err
	}
	for i, l := range ev.Lines {
		if l.From != st.Transit {
			return errf(CodeLocationKind, lineField(i)+".from", "transfer %s is received from %s", st.Number, st.Transit)
		}
		tl := st.line(l.SKU)
		if tl == nil {
			return errf(CodeNotOnTransfer, lineField(i)+".sku", "%s is not on transfer %s", l.SKU, st.Number)
		}
		tl.Received += l.Qty
	}
	st.settle()
	return nil
}

// over books a receipt with Ref T: units that came with the shipment beyond
// its manifest. They come in as a receipt since they were never in transit.
func (st *TransferState) over(ev *Event) *Error {
	if err := st.need(TransferShipped, TransferInbound, "received over"); err != nil {
		return err
	}
	for i, l := range ev.Lines {
		tl := st.line(l.SKU)
		if tl == nil {
			return errf(CodeNotOnTransfer, lineField(i)+".sku", "%s is not on transfer %s", l.SKU, st.Number)
		}
		tl.Over += l.Qty
	}
	return nil
}

// closeReceipt ends receiving: its lines move damaged units out of transit,
// and what is left is short. With nothing short the transfer is closed.
func (st *TransferState) closeReceipt(ev *Event) (TransferReport, *Error) {
	if err := st.need(TransferShipped, TransferInbound, "closed for receipt"); err != nil {
		return TransferReport{}, err
	}
	for i, l := range ev.Lines {
		if l.From != st.Transit {
			return TransferReport{}, errf(CodeLocationKind, lineField(i)+".from", "damaged units of transfer %s come from %s", st.Number, st.Transit)
		}
		tl := st.line(l.SKU)
		if tl == nil {
			return TransferReport{}, errf(CodeNotOnTransfer, lineField(i)+".sku", "%s is not on transfer %s", l.SKU, st.Number)
		}
		tl.Damaged += l.Qty
	}
	st.settle()
	st.ReceivedSeq, st.ReceiptNotes = ev.Seq, ev.Note
	rep := st.report()
	st.Status = TransferReceived
	if rep.Short == 0 {
		st.Status, st.ClosedSeq = TransferClosed, ev.Seq
	}
	return rep, nil
}

// settleOutbound records, at the source, the report the destination made
// when it closed its receipt (HQ relays it): what came, what was damaged,
// over, short and written off. No stock moves: the goods left this ledger
// when they were sealed. The first settlement comes in while T is shipped;
// while something short is still not written off T is received here too,
// and a later settlement (the destination wrote off the short) replaces the
// report, changing nothing but the written-off figures. With nothing left
// to write off T is closed.
func (st *TransferState) settleOutbound(ev *Event) *Error {
	if st.Direction != TransferOutbound {
		return errf(CodeInvalid, "transferReport", "transfer %s is inbound here: its close computes its own report", st.Number)
	}
	if st.Status != TransferShipped && st.Status != TransferReceived {
		return errf(CodeTransferState, "ref", "transfer %s is %s: it cannot be settled", st.Number, st.Status)
	}
	if len(ev.Lines) > 0 {
		return errf(CodeInvalid, "lines", "a settlement carries only the destination's report")
	}
	if ev.TransferReport == nil {
		return errf(CodeInvalid, "transferReport", "is required: transfer %s is outbound here and settles with the destination's report", st.Number)
	}
	rep, err := checkTransferReport(ev.TransferReport, st.Number)
	if err != nil {
		return err
	}
	again := st.Status == TransferReceived
	next := slices.Clone(st.Lines)
	listed := make(map[string]bool, len(rep.Lines))
	for i, rl := range rep.Lines {
		f := "transferReport.lines[" + strconv.Itoa(i) + "]"
		j := slices.IndexFunc(next, func(l TransferLineState) bool { return l.SKU == rl.SKU })
		if j < 0 {
			return errf(CodeNotOnTransfer, f+".sku", "%s is not on transfer %s", rl.SKU, st.Number)
		}
		listed[rl.SKU] = true
		l := &next[j]
		if rl.Shipped != l.Shipped {
			return errf(CodeInvalid, f+".shipped", "is %d: this depot shipped %d of %s on transfer %s", rl.Shipped, l.Shipped, rl.SKU, st.Number)
		}
		// The destination's receipt is closed before it reports, so a later
		// report may only add write-offs.
		if again && (rl.Received != l.Received || rl.Damaged != l.Damaged || rl.Over != l.Over || rl.Short != l.Short || rl.WrittenOff < l.WrittenOff) {
			return errf(CodeInvalid, f, "transfer %s was settled by event %d: a later report changes only what is written off, and only upwards", st.Number, st.ReceivedSeq)
		}
		l.Received, l.Damaged, l.Over, l.Short, l.WrittenOff = rl.Received, rl.Damaged, rl.Over, rl.Short, rl.WrittenOff
	}
	for _, l := range next {
		if l.Shipped > 0 && !listed[l.SKU] {
			return errf(CodeInvalid, "transferReport.lines", "%s was shipped on transfer %s and is missing from the report", l.SKU, st.Number)
		}
	}
	st.Lines, st.ReceivedSeq, st.Status = next, ev.Seq, TransferReceived
	if ev.Note != "" {
		st.ReceiptNotes = ev.Note
	}
	done := true
	for _, l := range next {
		done = done && l.WrittenOff == l.Short
	}
	if done {
		st.Status, st.ClosedSeq = TransferClosed, ev.Seq
	}
	return nil
}

// writeOff books a scrap of transit stock with Ref T: only once receipt is
// closed, so nothing still on its way is written off, and only what is short.
func (st *TransferState) writeOff(ev *Event) *Error {
	if err := st.need(TransferReceived, TransferInbound, "written off"); err != nil {
		return err
	}
	for i, l := range ev.Lines {
		tl := st.line(l.SKU)
		if tl == nil {
			return errf(CodeNotOnTransfer, lineField(i)+".sku", "%s is not on transfer %s", l.SKU, st.Number)
		}
		if tl.WrittenOff+l.Qty > tl.Short {
			return errf(CodeInsufficientStock, lineField(i)+".qty", "%d of %s are short on transfer %s, %d written off",
				tl.Short, l.SKU, st.Number, tl.WrittenOff)
		}
		tl.WrittenOff += l.Qty
	}
	done := true
	for _, l := range st.Lines {
		done = done && l.WrittenOff == l.Short
	}
	if done {
		st.Status, st.ClosedSeq = TransferClosed, ev.Seq
	}
	return nil
}

func (st *TransferState) report() TransferReport {
	r := TransferReport{Number: st.Number, Lines: slices.Clone(st.Lines)}
	for _, l := range st.Lines {
		r.Shipped += l.Shipped
		r.Received += l.Received
		r.Damaged += l.Damaged
		r.Over += l.Over
		r.Short += l.Short
	}
	return r
}

// step carries a stock event with Ref T into T's state, for the event
// types transfers hold to themselves. A scrap concerns T only when its lines
// leave T's transit location (a write-off); other scraps with Ref T are
// ordinary scraps, and a receipt with Ref T counts only at the destination
// (over). It returns false when the event does not concern the transfer.
func (st *TransferState) step(ev *Event) (bool, *Error) {
	switch ev.Type {
	case EvTransferShipped:
		return true, st.ship(ev)
	case EvTransferReceived:
		return true, st.receive(ev)
	case EvReceipt:
		if st.Direction != TransferInbound {
			return false, nil
		}
		return true, st.over(ev)
	case EvScrap:
		if st.Transit == "" {
			return false, nil
		}
		from := 0
		for _, l := range ev.Lines {
			if l.From == st.Transit {
				from++
			}
		}
		switch from {
		case 0:
			return false, nil
		case len(ev.Lines):
			return true, st.writeOff(ev)
		}
		return true, errf(CodeInvalid, "lines", "a write-off of transfer %s takes every line from %s", st.Number, st.Transit)
	}
	return false, nil
}
