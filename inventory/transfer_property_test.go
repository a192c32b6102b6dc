package inventory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// trModel is a naive account of one transfer at one depot, written apart
// from transfer.go: per-part counters and where each unit is. The stores
// must agree with it on every answer and every balance.
type trModel struct {
	status                          TransferStatus
	inbound                         bool             // short is counted at the destination only
	settledShort                    map[string]int64 // the source's: what the destination reported short
	requester                       string
	req, shipped, received, damaged map[string]int64
	over, writtenOff                map[string]int64
	pn                              map[string]int64  // PN on hand per location
	ps                              map[string]string // PS serial -> location
}

func newTRModel() *trModel {
	mk := func() map[string]int64 { return map[string]int64{} }
	return &trModel{req: mk(), shipped: mk(), received: mk(), damaged: mk(), over: mk(), writtenOff: mk(),
		settledShort: mk(), pn: mk(), ps: map[string]string{}}
}

func (m *trModel) short(sku string) int64 {
	if !m.inbound {
		return m.settledShort[sku]
	}
	return max(m.shipped[sku]-m.received[sku]-m.damaged[sku], 0)
}

// settleFrom applies the relay of the destination d's report to the
// source model: accepted while shipped or received, and then the source
// says what the destination says. A corrupt report (one line no longer
// adds up) is refused.
func (m *trModel) settleFrom(d *trModel, corrupt bool) Code {
	switch {
	case corrupt:
		return CodeInvalid
	case m.status != TransferShipped && m.status != TransferReceived:
		return CodeTransferState
	}
	for _, sku := range []string{"PN", "PS"} {
		m.received[sku], m.damaged[sku], m.over[sku] = d.received[sku], d.damaged[sku], d.over[sku]
		m.writtenOff[sku], m.settledShort[sku] = d.writtenOff[sku], d.short(sku)
	}
	m.status = d.status
	return ""
}

// position is what the store's Position must say of PN: available in A;
// inbound the order's quantity while an inbound order waits, then what is
// in transit until the receipt is closed.
func (m *trModel) position() Position {
	p := Position{Available: m.pn["A"]}
	if m.inbound {
		switch m.status {
		case TransferRequested:
			p.Inbound = m.req["PN"]
		case TransferShipped:
			p.Inbound = m.pn[trTransit]
		}
	}
	p.Total = p.Available + p.Inbound
	return p
}

// balances is what the store's Stock must list, in its order.
func (m *trModel) balances() []Balance {
	var out []Balance
	for loc, n := range m.pn {
		if n != 0 {
			out = append(out, Balance{SKU: "PN", Location: loc, OnHand: n, Available: n})
		}
	}
	for sn, loc := range m.ps {
		if loc != "" {
			out = append(out, Balance{SKU: "PS", Location: loc, Serial: sn, OnHand: 1, Available: 1})
		}
	}
	slices.SortFunc(out, func(a, b Balance) int {
		return cmpStrings(a.SKU+"\x00"+a.Location+"\x00\x00"+a.Serial, b.SKU+"\x00"+b.Location+"\x00\x00"+b.Serial)
	})
	return out
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const trTransit = "TRANSIT-T-1"

// source applies one source-side command to the model: "" to accept, or
// the code the store must refuse it with.
func (m *trModel) source(c Command) Code {
	switch c.Type {
	case EvTransferApproved:
		switch {
		case m.status != TransferRequested:
			return CodeTransferState
		case c.Actor == m.requester:
			return CodeSelfApproval
		}
		m.status = TransferApproved
	case EvTransferShipped:
		l := c.Lines[0]
		switch {
		case m.status == TransferRequested:
			return CodeUnknownLocation // no transit location before approval
		case m.status != TransferApproved:
			return CodeTransferState
		case m.shipped[l.SKU]+l.Qty > m.req[l.SKU]:
			return CodeOverShipped
		}
		if l.SKU == "PN" {
			if m.pn["A"] < l.Qty {
				return CodeInsufficientStock
			}
			m.pn["A"] -= l.Qty
			m.pn[trTransit] += l.Qty
		} else {
			if m.ps[l.Serials[0]] != "A" {
				return CodeSerialNotHere
			}
			m.ps[l.Serials[0]] = trTransit
		}
		m.shipped[l.SKU] += l.Qty
	case EvTransferDispatched:
		if m.status != TransferApproved || m.shipped["PN"]+m.shipped["PS"] == 0 {
			return CodeTransferState
		}
		m.status = TransferShipped
		m.pn[trTransit] = 0
		for sn, loc := range m.ps {
			if loc == trTransit {
				m.ps[sn] = ""
			}
		}
	}
	return ""
}

// dest applies one destination-side command to the model.
func (m *trModel) dest(c Command) Code {
	var l Line
	if len(c.Lines) > 0 {
		l = c.Lines[0]
	}
	if m.status == TransferRequested {
		// Only an order yet: its transit location comes with the goods.
		switch {
		case c.Type == EvTransferAnnounced && c.Transfer.From != "SRC":
			return CodeDocumentExists
		case c.Type == EvTransferAnnounced:
			m.status = TransferShipped
			for _, sl := range c.Shipment.Lines {
				m.shipped[sl.SKU] += sl.Qty
				if sl.SKU == "PN" {
					m.pn[trTransit] += sl.Qty
				}
				for _, sn := range sl.Serials {
					m.ps[sn] = trTransit
				}
			}
			return ""
		case l.From == trTransit:
			return CodeUnknownLocation
		}
		return CodeTransferState
	}
	move := func(to string) Code {
		if l.SKU == "PN" {
			if m.pn[trTransit] < l.Qty {
				return CodeInsufficientStock
			}
			m.pn[trTransit] -= l.Qty
			m.pn[to] += l.Qty
			return ""
		}
		if m.ps[l.Serials[0]] != trTransit {
			return CodeSerialNotHere
		}
		m.ps[l.Serials[0]] = to
		return ""
	}
	switch c.Type {
	case EvTransferReceived:
		if m.status != TransferShipped {
			return CodeTransferState
		}
		if code := move("A"); code != "" {
			return code
		}
		m.received[l.SKU] += l.Qty
	case EvReceipt:
		if m.status != TransferShipped {
			return CodeTransferState
		}
		m.pn["A"] += l.Qty
		m.over["PN"] += l.Qty
	case EvTransferClosed:
		if m.status != TransferShipped {
			return CodeTransferState
		}
		if len(c.Lines) > 0 {
			if code := move("DEF"); code != "" {
				return code
			}
			m.damaged[l.SKU] += l.Qty
		}
		m.status = TransferReceived
		if m.short("PN")+m.short("PS") == 0 {
			m.status = TransferClosed
		}
	case EvScrap:
		if m.status != TransferReceived {
			return CodeTransferState
		}
		if m.writtenOff[l.SKU]+l.Qty > m.short(l.SKU) {
			return CodeInsufficientStock
		}
		if code := move(""); code != "" {
			return code
		}
		m.writtenOff[l.SKU] += l.Qty
		if m.writtenOff["PN"] == m.short("PN") && m.writtenOff["PS"] == m.short("PS") {
			m.status = TransferClosed
		}
	}
	return ""
}

func (m *trModel) check(t *testing.T, s *Store, where string) {
	t.Helper()
	got, err := s.Stock(StockFilter{}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	delete(m.pn, "")
	if want := m.balances(); !slices.Equal(got, want) {
		t.Fatalf("%s: balances\nstore: %+v\nmodel: %+v", where, got, want)
	}
	tr, err := s.Transfer("T-1")
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if tr.Status != m.status {
		t.Fatalf("%s: status %s, model %s", where, tr.Status, m.status)
	}
	for _, l := range tr.Lines {
		if l.Shipped != m.shipped[l.SKU] || l.Received != m.received[l.SKU] || l.Damaged != m.damaged[l.SKU] ||
			l.Over != m.over[l.SKU] || l.Short != m.short(l.SKU) || l.WrittenOff != m.writtenOff[l.SKU] {
			t.Fatalf("%s: line %+v, model shipped %d received %d damaged %d over %d short %d written off %d", where, l,
				m.shipped[l.SKU], m.received[l.SKU], m.damaged[l.SKU], m.over[l.SKU], m.short(l.SKU), m.writtenOff[l.SKU])
		}
	}
	if p, err := s.Position("PN"); err != nil || p != m.position() {
		t.Fatalf("%s: position of PN %+v %v, model %+v", where, p, err, m.position())
	}
	if rep, err := s.Verify(context.Background(), nil); err != nil || !rep.OK {
		t.Fatalf("%s: verify: %v %v", where, err, rep.Problems)
	}
}

func trStore(t *testing.T, dir string, stock bool) *Store {
	s := propOpen(t, dir)
	t.Cleanup(func() { s.Close() })
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "prop", Part: &Part{SKU: "PN"}})
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "prop", Part: &Part{SKU: "PS", Tracking: TrackSerial}})
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "prop", Location: &Location{Code: "A"}})
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "prop", Location: &Location{Code: "DEF", Kind: KindDefective}})
	if stock {
		mustAppend(t, s, Command{Type: EvReceipt, Actor: "prop", Lines: []Line{{SKU: "PN", Qty: 6, To: "A"},
			{SKU: "PS", Qty: 4, To: "A", Serials: []string{"S0", "S1", "S2", "S3"}}}})
	}
	return s
}

// TestPropertyTransfers runs random sequences of transfer commands against
// a source and then a destination store and the model: the same answer to
// every command (accepted, or refused with the same code, writing
// nothing), the same balances, transfer lines and position after each, and
// a log that verifies. Half the destinations get HQ's order before the
// announcement; every close and write-off the destination accepts is
// relayed back to settle the source, sometimes corrupted first.
func TestPropertyTransfers(t *testing.T) {
	n := propRuns(150, 20)
	seed := propRunSeed(t)
	base := propDir(t)
	ctx := context.Background()
	refused := map[Code]int{}
	closed, ordered, settled := 0, 0, 0
	run := func(s *Store, apply func(Command) Code, m *trModel, c Command, where string) {
		t.Helper()
		before := s.Head()
		want := apply(c)
		_, err := s.Append(ctx, c)
		wantModelAnswer(t, s, before, err, want, fmt.Sprintf("%s %s %+v", where, c.Type, c.Lines))
		if err != nil {
			refused[want]++
		}
		m.check(t, s, where)
	}
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		serial := func() string { return fmt.Sprintf("S%d", r.IntN(5)) }
		m := newTRModel()
		m.pn["A"] = 6
		for _, sn := range []string{"S0", "S1", "S2", "S3"} {
			m.ps[sn] = "A"
		}
		src := trStore(t, fmt.Sprintf("%s/src-%d", base, i), true)
		m.requester = []string{"kim", "lee"}[r.IntN(2)]
		m.req["PN"], m.req["PS"] = int64(1+r.IntN(5)), int64(1+r.IntN(2))
		trLines := []TransferLine{{SKU: "PN", Qty: m.req["PN"]}, {SKU: "PS", Qty: m.req["PS"]}}
		mustAppend(t, src, Command{Type: EvTransferRequested, Actor: m.requester, Ref: "T-1",
			Transfer: &Transfer{From: "PROP", To: "DST", Lines: trLines}})
		m.status = TransferRequested
		m.check(t, src, "requested")
		var sealed *Event
		for op := range 10 + r.IntN(15) {
			var c Command
			switch k := r.IntN(10); {
			case k < 2:
				c = Command{Type: EvTransferApproved, Actor: []string{"kim", "lee"}[r.IntN(2)], Ref: "T-1"}
			case k < 5:
				c = trCmd(EvTransferShipped, "kim", "T-1", Line{SKU: "PN", Qty: int64(1 + r.IntN(3)), From: "A", To: trTransit})
			case k < 8:
				c = trCmd(EvTransferShipped, "kim", "T-1", Line{SKU: "PS", Qty: 1, From: "A", To: trTransit, Serials: []string{serial()}})
			default:
				c = trDispatch("T-1")
			}
			run(src, m.source, m, c, fmt.Sprintf("seed %d seq %d source op %d", seed, i, op))
			if c.Type == EvTransferDispatched && m.status == TransferShipped && sealed == nil {
				tr, _ := src.Transfer("T-1")
				ev, err := src.Event(tr.ShippedSeq)
				if err != nil {
					t.Fatal(err)
				}
				sealed = &ev
			}
		}
		if sealed == nil {
			continue
		}
		// The destination: HQ's order first (half the time), then the
		// manifest as sealed, then receiving.
		dst := trStore(t, fmt.Sprintf("%s/dst-%d", base, i), false)
		d := newTRModel()
		d.status, d.inbound, d.req = TransferRequested, true, m.req
		announce := func(from string) Command {
			return Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "T-1", Transfer: &Transfer{From: from, To: "PROP", Lines: trLines},
				Shipment: &Shipment{SSCC: sealed.Shipment.SSCC, Lines: sealed.Shipment.Lines}}
		}
		destOp := func() Command {
			pnLine := Line{SKU: "PN", Qty: int64(1 + r.IntN(3)), From: trTransit}
			psLine := Line{SKU: "PS", Qty: 1, From: trTransit, Serials: []string{serial()}}
			pick := func() Line {
				if r.IntN(2) == 0 {
					return pnLine
				}
				return psLine
			}
			switch k := r.IntN(12); {
			case k < 5:
				l := pick()
				l.To = "A"
				return trCmd(EvTransferReceived, "kim", "T-1", l)
			case k < 6:
				return trCmd(EvReceipt, "kim", "T-1", Line{SKU: "PN", Qty: 1, To: "A"})
			case k < 8:
				c := trCmd(EvTransferClosed, "kim", "T-1")
				if r.IntN(2) == 0 {
					l := pick()
					l.To = "DEF"
					c.Lines = []Line{l}
				}
				return c
			}
			return Command{Type: EvScrap, Actor: "pat", Ref: "T-1", Note: "lost", Lines: []Line{pick()}}
		}
		if r.IntN(2) == 0 {
			ordered++
			mustAppend(t, dst, Command{Type: EvTransferRequested, Actor: "hq", Ref: "T-1", Transfer: &Transfer{From: "SRC", To: "PROP", Lines: trLines}})
			d.check(t, dst, "ordered")
			for op := range r.IntN(4) {
				c := destOp()
				if r.IntN(3) == 0 {
					c = announce("OTHER")
				}
				run(dst, d.dest, d, c, fmt.Sprintf("seed %d seq %d destination op %d before the announcement", seed, i, op))
			}
		}
		run(dst, d.dest, d, announce("SRC"), fmt.Sprintf("seed %d seq %d announced", seed, i))
		// relay settles the source with the destination's report as it
		// stands, sometimes first with a line that no longer adds up.
		relay := func(where string) {
			tr, err := dst.Transfer("T-1")
			if err != nil {
				t.Fatal(err)
			}
			if r.IntN(3) == 0 {
				bad := tr.Report
				bad.Lines = slices.Clone(bad.Lines)
				bad.Lines[0].Received++
				run(src, func(Command) Code { return m.settleFrom(d, true) }, m,
					Command{Type: EvTransferClosed, Actor: "hq", Ref: "T-1", TransferReport: &bad}, where+" (corrupt)")
			}
			run(src, func(Command) Code { return m.settleFrom(d, false) }, m,
				Command{Type: EvTransferClosed, Actor: "hq", Ref: "T-1", TransferReport: &tr.Report}, where)
		}
		for op := range 10 + r.IntN(15) {
			c := destOp()
			where := fmt.Sprintf("seed %d seq %d destination op %d", seed, i, op)
			before := dst.Head()
			run(dst, d.dest, d, c, where)
			if dst.Head() != before && (c.Type == EvTransferClosed || c.Type == EvScrap) {
				relay(where + " relayed")
			}
		}
		if d.status == TransferClosed {
			closed++
		}
		if m.status == TransferClosed {
			settled++
		}
	}
	t.Logf("%d sequences, %d transfers closed at the destination, %d ordered ahead, %d settled closed at the source, refused %v",
		n, closed, ordered, settled, refused)
	for _, c := range []Code{CodeTransferState, CodeSelfApproval, CodeOverShipped, CodeInsufficientStock, CodeSerialNotHere,
		CodeUnknownLocation, CodeDocumentExists, CodeInvalid} {
		if refused[c] == 0 && n >= 100 {
			t.Errorf("no command was refused with %s: the generator misses a rule", c)
		}
	}
	if (closed == 0 || ordered == 0 || settled == 0) && n >= 100 {
		t.Error("no transfer was closed, ordered ahead or settled closed: the generator never gets to the end")
	}
}
