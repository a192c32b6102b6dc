package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
)

// MaxIdempotencyKeyLen bounds client-chosen idempotency keys.
const MaxIdempotencyKeyLen = 200

// lineRule says which location fields a stock event's lines use.
type lineRule struct {
	from, to, location bool
	signed             bool // count adjustments: qty may be negative
	incoming           bool // may bring a new lot or serial into the depot
	reservable         bool // FromReserved allowed
	needsRef           bool // the document must be named
}

var lineRules = map[EventType]lineRule{
	EvReceipt:          {to: true, incoming: true},
	EvMove:             {from: true, to: true},
	EvReserve:          {location: true},
	EvUnreserve:        {location: true},
	EvIssue:            {from: true, reservable: true, needsRef: true},
	EvReturn:           {to: true, incoming: true},
	EvTransferShipped:  {from: true, to: true, reservable: true, needsRef: true},
	EvTransferReceived: {from: true, to: true, incoming: true, needsRef: true},
	EvCountAdjustment:  {location: true, signed: true, incoming: true},
	EvScrap:            {from: true},
	// Transfer documents that move stock (transfer.go).
	EvTransferDispatched: {from: true, needsRef: true},
	EvTransferAnnounced:  {to: true, incoming: true, needsRef: true},
	EvTransferClosed:     {from: true, to: true, needsRef: true},
	EvRTSCreated:         {from: true, needsRef: true},
}

// check validates everything that needs no stored state, and normalises the
// command (GTINs to 14 digits, defaults filled). It copies what it changes so
// the caller's values stay as they were.
func (c *Command) check() error {
	if err := checkCode("actor", c.Actor); err != nil {
		return err
	}
	if len(c.IdempotencyKey) > MaxIdempotencyKeyLen {
		return errf(CodeInvalid, "idempotencyKey", "is longer than %d bytes", MaxIdempotencyKeyLen)
	}
	if c.IdempotencyKey != "" {
		if err := checkText("idempotencyKey", c.IdempotencyKey); err != nil {
			return err
		}
	}
	if c.Ref != "" {
		if err := checkCode("ref", c.Ref); err != nil {
			return err
		}
	}
	if err := checkText("note", c.Note); err != nil {
		return err
	}
	if c.Order != nil && c.Type != EvPOCreated {
		return errf(CodeInvalid, "order", "only %s carries an order", EvPOCreated)
	}
	if c.Notice != nil && c.Type != EvASNAnnounced {
		return errf(CodeInvalid, "notice", "only %s carries a notice", EvASNAnnounced)
	}
	if c.SSCC != "" && c.Type != EvASNAnnounced {
		if c.Type != EvReceipt || c.Ref == "" {
			return errf(CodeInvalid, "sscc", "only a receipt against a purchase order names a pallet")
		}
		if !ValidSSCC(c.SSCC) {
			return errf(CodeInvalid, "sscc", "%q is not an 18-digit SSCC with a valid check digit", c.SSCC)
		}
	}
	if (c.Transfer != nil || c.Shipment != nil) && !isTransferDoc(c.Type) {
		return errf(CodeInvalid, "transfer", "only the transfer events carry a transfer or shipment")
	}
	if c.TransferReport != nil && c.Type != EvTransferClosed {
		return errf(CodeInvalid, "transferReport", "only %s (a source settling its transfer) carries a transfer report", EvTransferClosed)
	}
	if c.WorkOrder != nil && c.Type != EvWOCreated {
		return errf(CodeInvalid, "workOrder", "only %s carries a work order", EvWOCreated)
	}
	if c.Supplier != "" && c.Type != EvRTSCreated {
		return errf(CodeInvalid, "supplier", "only %s names a supplier", EvRTSCreated)
	}
	if c.Policy != nil && c.Type != EvReorderPolicySet {
		return errf(CodeInvalid, "policy", "only %s carries a policy", EvReorderPolicySet)
	}
	if c.Signal != nil && c.Type != EvReorderSignal && c.Type != EvReorderRearmed && c.Type != EvReorderPolicySet {
		return errf(CodeInvalid, "signal", "only %s and %s carry a signal", EvReorderSignal, EvReorderRearmed)
	}
	if c.Count != nil && c.Type != EvCountOpened && c.Type != EvCountEntered && c.Type != EvCountRecount && c.Type != EvCountAdjustment {
		return errf(CodeInvalid, "count", "only the count events and a count approval carry a count payload")
	}
	switch c.Type {
	case EvCountOpened, EvCountEntered, EvCountRecount:
		return c.checkCount()
	case EvCountAdjustment:
		if c.Count != nil {
			return c.checkCount()
		}
	case EvReorderPolicySet, EvReorderSignal, EvReorderRearmed:
		return c.checkReorder()
	case EvASNAnnounced:
		return c.checkASN()
	case EvTransferRequested, EvTransferApproved, EvTransferDispatched, EvTransferAnnounced, EvTransferClosed:
		return c.checkTransfer()
	case EvRTSCreated:
		if err := checkCode("supplier", c.Supplier); err != nil {
			return err
		}
	case EvRTSShipped:
		return c.checkRTSShipped()
	case EvWOCreated:
		return c.checkWOCreated()
	case EvWOClosed:
		return c.checkWOClosed()
	case EvPOCreated:
		return c.checkPOCreated()
	case EvPOClosed:
		return c.checkPOClosed()
	case EvPartDefined:
		if c.Part == nil {
			return errf(CodeInvalid, "part", "is required for %s", c.Type)
		}
		if len(c.Lines) > 0 || c.Location != nil {
			return errf(CodeInvalid, "lines", "%s carries only a part", c.Type)
		}
		p := *c.Part
		if err := p.normalize(); err != nil {
			return err
		}
		c.Part = &p
		return nil
	case EvLocationDefined:
		if c.Location == nil {
			return errf(CodeInvalid, "location", "is required for %s", c.Type)
		}
		if len(c.Lines) > 0 || c.Part != nil {
			return errf(CodeInvalid, "lines", "%s carries only a location", c.Type)
		}
		l := *c.Location
		if err := l.check(); err != nil {
			return err
		}
		c.Location = &l
		return nil
	}
	rule, ok := lineRules[c.Type]
	if !ok {
		return errf(CodeInvalid, "type", "unknown event type %q", c.Type)
	}
	if c.Part != nil || c.Location != nil {
		return errf(CodeInvalid, "part", "%s carries lines, not a part or location", c.Type)
	}
	if rule.needsRef && c.Ref == "" {
		return errf(CodeInvalid, "ref", "%s must name its document (work order or transfer)", c.Type)
	}
	if len(c.Lines) == 0 {
		return errf(CodeInvalid, "lines", "at least one line is required")
	}
	return c.checkStockLines(rule)
}

// checkStockLines checks a command's stock lines against the rule of its
// type, and the limits on lines and serials per event. It checks a copy
// of the lines, which the command then carries.
func (c *Command) checkStockLines(rule lineRule) error {
	if len(c.Lines) > MaxLines {
		return errf(CodeInvalid, "lines", "at most %d lines per event", MaxLines)
	}
	serials := 0
	c.Lines = slices.Clone(c.Lines)
	for i := range c.Lines {
		if err := c.Lines[i].check(lineField(i), c.Type, rule); err != nil {
			return err
		}
		serials += len(c.Lines[i].Serials)
	}
	if serials > MaxSerials {
		return errf(CodeInvalid, "lines", "at most %d serials per event", MaxSerials)
	}
	return nil
}

func lineField(i int) string { return "lines[" + strconv.Itoa(i) + "]" }

// checkDocNumber settles the number of the document a command creates
// against its ref: either may be given, or both when they are equal; both
// are set after. The number is a code, of at most maxLen bytes when maxLen
// is not 0; what names the document in the message of a mismatch.
func (c *Command) checkDocNumber(field, what string, number *string, maxLen int) error {
	switch {
	case *number == "":
		*number = c.Ref
	case c.Ref == "":
		c.Ref = *number
	}
	if err := checkCode(field, *number); err != nil {
		return err
	}
	if maxLen > 0 && len(*number) > maxLen {
		return errf(CodeInvalid, field, "is longer than %d bytes", maxLen)
	}
	if *number != c.Ref {
		return errf(CodeInvalid, "ref", "is %q but the %s's number is %q", c.Ref, what, *number)
	}
	return nil
}

// checkDocLineCount checks that a document has lines, and not more than
// MaxLines; what names the document in the message.
func checkDocLineCount(field, what string, n int) error {
	if n == 0 {
		return errf(CodeInvalid, field, "at least one line is required")
	}
	if n > MaxLines {
		return errf(CodeInvalid, field, "at most %d lines per %s", MaxLines, what)
	}
	return nil
}

// checkDocLine checks what a numbered document line (of an order or a work
// order) has in common: its number, positive and not in seen, which then
// holds it; its part; its quantity. f names the line.
func checkDocLine(f string, seen map[int]bool, line int, sku string, qty int64) error {
	if line <= 0 {
		return errf(CodeInvalid, f+".line", "must be a positive line number")
	}
	if seen[line] {
		return errf(CodeInvalid, f+".line", "line %d is listed twice", line)
	}
	seen[line] = true
	if err := checkCode(f+".sku", sku); err != nil {
		return err
	}
	if qty <= 0 || qty > MaxQuantity {
		return errf(CodeInvalid, f+".qty", "must be between 1 and %d", MaxQuantity)
	}
	return nil
}

func (l *Line) check(f string, t EventType, r lineRule) error {
	if err := checkCode(f+".sku", l.SKU); err != nil {
		return err
	}
	switch {
	case l.Qty == 0:
		return errf(CodeInvalid, f+".qty", "must not be zero")
	case l.Qty < 0 && !r.signed:
		return errf(CodeInvalid, f+".qty", "must be positive")
	case l.Qty > MaxQuantity || l.Qty < -MaxQuantity:
		return errf(CodeInvalid, f+".qty", "is beyond %d", MaxQuantity)
	}
	for _, loc := range []struct {
		name  string
		val   string
		wants bool
	}{{"from", l.From, r.from}, {"to", l.To, r.to}, {"location", l.Location, r.location}} {
		if !loc.wants {
			if loc.val != "" {
				return errf(CodeInvalid, f+"."+loc.name, "%s does not use %q", t, loc.name)
			}
			continue
		}
		if err := checkCode(f+"."+loc.name, loc.val); err != nil {
			return err
		}
	}
	if r.from && r.to && l.From == l.To {
		return errf(CodeInvalid, f+".to", "is the same location as from")
	}
	if l.Lot != "" {
		if err := checkCode(f+".lot", l.Lot); err != nil {
			return err
		}
	}
	if l.Expiry != "" {
		if !r.incoming || l.Qty < 0 {
			return errf(CodeInvalid, f+".expiry", "is set only when stock comes in")
		}
		if _, ok := ParseDate(l.Expiry); !ok {
			return errf(CodeInvalid, f+".expiry", "%q is not a YYYY-MM-DD date", l.Expiry)
		}
	}
	if len(l.Serials) > 0 {
		n := l.Qty
		if n < 0 {
			n = -n
		}
		if int64(len(l.Serials)) != n {
			return errf(CodeInvalid, f+".serials", "%d serials for a quantity of %d", len(l.Serials), l.Qty)
		}
		seen := make(map[string]bool, len(l.Serials))
		for j, sn := range l.Serials {
			if err := checkCode(f+".serials["+strconv.Itoa(j)+"]", sn); err != nil {
				return err
			}
			if seen[sn] {
				return errf(CodeInvalid, f+".serials", "serial %q is listed twice", sn)
			}
			seen[sn] = true
		}
		l.Serials = slices.Clone(l.Serials)
	}
	switch {
	case t == EvReturn && l.Condition != ConditionGood && l.Condition != ConditionDefective:
		return errf(CodeInvalid, f+".condition", "must be %q or %q", ConditionGood, ConditionDefective)
	case t != EvReturn && l.Condition != "":
		return errf(CodeInvalid, f+".condition", "is only for returns")
	}
	switch {
	case l.WOLine < 0 || l.WOLine != 0 && t != EvIssue:
		// Returns are matched to lines by the store, so a replay of the
		// log matches them the same way.
		return errf(CodeInvalid, f+".woLine", "is a positive work order line, on issues only")
	case l.Billing != "":
		return errf(CodeInvalid, f+".billing", "is copied from the work order line by the store")
	case l.Mismatch != "":
		return errf(CodeInvalid, f+".mismatch", "is recorded by the store")
	}
	if l.FromReserved && !r.reservable {
		return errf(CodeInvalid, f+".fromReserved", "is only for issues and transfer shipments")
	}
	return nil
}

func (p *Part) normalize() error {
	if err := checkCode("part.sku", p.SKU); err != nil {
		return err
	}
	if err := checkText("part.description", p.Description); err != nil {
		return err
	}
	if p.Unit == "" {
		p.Unit = "ea"
	}
	if err := checkCode("part.unit", p.Unit); err != nil || len(p.Unit) > 16 {
		return errf(CodeInvalid, "part.unit", "must be a short unit code such as ea, mm or ml")
	}
	switch p.Tracking {
	case "":
		p.Tracking = TrackNone
	case TrackNone, TrackLot, TrackSerial:
	default:
		return errf(CodeInvalid, "part.tracking", "must be none, lot or serial")
	}
	if p.ShelfLifeDays < 0 || p.ShelfLifeDays > 36500 {
		return errf(CodeInvalid, "part.shelfLifeDays", "must be between 0 and 36500")
	}
	if p.SupersededBy != "" {
		if err := checkCode("part.supersededBy", p.SupersededBy); err != nil {
			return err
		}
		if p.SupersededBy == p.SKU {
			return errf(CodeInvalid, "part.supersededBy", "a part cannot supersede itself")
		}
	}
	if len(p.GTINs)+len(p.Aliases) > MaxAliases {
		return errf(CodeInvalid, "part.aliases", "at most %d GTINs and aliases", MaxAliases)
	}
	seen := map[string]bool{}
	gtins := make([]string, 0, len(p.GTINs))
	for i, g := range p.GTINs {
		n, ok := NormalizeGTIN(g)
		if !ok {
			return errf(CodeInvalid, "part.gtins["+strconv.Itoa(i)+"]", "%q is not a GTIN-8/12/13/14 with a valid check digit", g)
		}
		if !seen[n] {
			gtins = append(gtins, n)
			seen[n] = true
		}
	}
	aliases := make([]string, 0, len(p.Aliases))
	for i, a := range p.Aliases {
		if err := checkCode("part.aliases["+strconv.Itoa(i)+"]", a); err != nil {
			return err
		}
		if !seen[a] {
			aliases = append(aliases, a)
			seen[a] = true
		}
	}
	p.GTINs, p.Aliases = nilIfEmpty(gtins), nilIfEmpty(aliases)
	return nil
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// codes are the barcodes that identify the part: its GTINs and aliases.
func (p *Part) codes() []string { return append(slices.Clone(p.GTINs), p.Aliases...) }

func (l *Location) check() error {
	if err := checkCode("location.code", l.Code); err != nil {
		return err
	}
	switch l.Kind {
	case KindStock, KindQuarantine, KindDefective, KindTransit, KindVan:
	case "":
		l.Kind = KindStock
	default:
		return errf(CodeInvalid, "location.kind", "must be stock, quarantine, defective, transit or van")
	}
	if err := checkText("location.description", l.Description); err != nil {
		return err
	}
	if l.Zone != "" {
		if err := checkCode("location.zone", l.Zone); err != nil {
			return err
		}
	}
	return nil
}

// fingerprint identifies what a command asks for, so a reused idempotency key
// with a different request is told apart from an honest retry.
func (c *Command) fingerprint() string {
	// Actor and key are excluded by their json tags: the record is per actor.
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
