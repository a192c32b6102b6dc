package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/inventory"
)

// Exports: ?format=csv|xlsx on the lists a person takes into a
// spreadsheet, with the JSON answer's filters; JSON stays the default.
// An export holds the rows the JSON answer holds for the same query, but
// is not paged: its limit defaults to its maximum.

const (
	// maxStockExport bounds a stock export (balance rows).
	maxStockExport = 200_000
	// maxEventExport bounds an event export (events; a row per line).
	maxEventExport = 1_000_000
	// maxTransferExport bounds the transfers an export walks.
	maxTransferExport = 100_000
)

// queryFormat reads ?format=: json (the default), csv or xlsx.
func queryFormat(c *gin.Context) (export.Format, error) {
	f, err := export.ParseFormat(c.Query("format"))
	if err != nil {
		return "", apiErr(inventory.CodeInvalid, "format", "must be json, csv or xlsx")
	}
	return f, nil
}

// exportable serves a route's JSON answer, or its export when ?format=
// asks for one.
func (s *server) exportable(answer func(*gin.Context, *inventory.User), exp func(*gin.Context, *inventory.User, export.Format)) func(*gin.Context, *inventory.User) {
	return func(c *gin.Context, u *inventory.User) {
		f, err := queryFormat(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		if f == export.JSON {
			answer(c, u)
			return
		}
		exp(c, u, f)
	}
}

// sendTable answers t as an attachment named after the depot, name and
// today (export.Send).
func (s *server) sendTable(c *gin.Context, f export.Format, name string, t export.Table) {
	if err := export.Send(c, s.log, f, export.Filename(s.store.Depot(), name, s.clock.Now(), f), t); err != nil {
		s.fail(c, err)
	}
}

// --- stock ---

var stockColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Location", Kind: export.Text}, {Title: "Lot", Kind: export.Text},
	{Title: "Serial", Kind: export.Text}, {Title: "On hand", Kind: export.Int}, {Title: "Reserved", Kind: export.Int},
	{Title: "Available", Kind: export.Int},
}

func balanceRow(b inventory.Balance) []export.Cell {
	return []export.Cell{export.S(b.SKU), export.S(b.Location), export.S(b.Lot), export.S(b.Serial),
		export.I(b.OnHand), export.I(b.Reserved), export.I(b.Available)}
}

func (s *server) exportStock(c *gin.Context, _ *inventory.User, f export.Format) {
	ans, err := s.readStock(c, maxStockExport, maxStockExport)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ans.Truncated {
		c.Header("X-Truncated", "true")
	}
	s.sendTable(c, f, "stock", export.Table{Sheet: "Stock", Columns: stockColumns, Rows: func(emit func([]export.Cell) error) error {
		for _, b := range ans.Items {
			if err := emit(balanceRow(b)); err != nil {
				return err
			}
		}
		return nil
	}})
}

// --- events ---

// eventColumns: one row per line of a stock event; an event without lines
// is one row, with the part or location a definition defines.
var eventColumns = []export.Column{
	{Title: "Seq", Kind: export.Int}, {Title: "Time (UTC)", Kind: export.Time}, {Title: "Type", Kind: export.Text},
	{Title: "Actor", Kind: export.Text}, {Title: "Reference", Kind: export.Text}, {Title: "Note", Kind: export.Text},
	{Title: "Part", Kind: export.Text}, {Title: "Quantity", Kind: export.Int}, {Title: "From location", Kind: export.Text},
	{Title: "To location", Kind: export.Text}, {Title: "Location", Kind: export.Text}, {Title: "Lot", Kind: export.Text},
	{Title: "Serials", Kind: export.Text}, {Title: "Condition", Kind: export.Text},
}

// eventRows are the rows of one event.
func eventRows(ev *inventory.Event) [][]export.Cell {
	head := []export.Cell{export.I(int64(ev.Seq)), export.T(ev.At), export.S(string(ev.Type)), export.S(ev.Actor),
		export.S(ev.Ref), export.S(ev.Note)}
	if len(ev.Lines) == 0 {
		var sku, loc string
		if ev.Part != nil {
			sku = ev.Part.SKU
		}
		if ev.Location != nil {
			loc = ev.Location.Code
		}
		return [][]export.Cell{append(head, export.S(sku), export.Cell{}, export.S(""), export.S(""), export.S(loc),
			export.S(""), export.S(""), export.S(""))}
	}
	out := make([][]export.Cell, len(ev.Lines))
	for i, l := range ev.Lines {
		row := append(append([]export.Cell(nil), head...), export.S(l.SKU), export.I(l.Qty), export.S(l.From), export.S(l.To),
			export.S(l.Location), export.S(l.Lot), export.S(strings.Join(l.Serials, " ")), export.S(l.Condition))
		out[i] = row
	}
	return out
}

// exportEvents streams the log from ?after= for at most ?limit= events,
// up to the head as the export began: events committed while it is
// written are the next export's.
func (s *server) exportEvents(c *gin.Context, _ *inventory.User, f export.Format) {
	limit, err := queryLimit(c, maxEventExport, maxEventExport)
	if err != nil {
		s.fail(c, err)
		return
	}
	after, _, err := querySeq(c, "after")
	if err != nil {
		s.fail(c, err)
		return
	}
	head := s.store.Head().Seq
	s.sendTable(c, f, "events", export.Table{Sheet: "Events", Columns: eventColumns, Rows: func(emit func([]export.Cell) error) error {
		n := 0
		err := s.store.EachRawEvent(after, func(seq uint64, raw []byte) error {
			if n == limit || seq > head {
				return errPageFull
			}
			n++
			var ev inventory.Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", seq, err)
			}
			for _, row := range eventRows(&ev) {
				if err := emit(row); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, errPageFull) {
			return nil
		}
		return err
	}})
}

// --- count variances ---

var varianceColumns = []export.Column{
	{Title: "Bin", Kind: export.Text}, {Title: "Part", Kind: export.Text}, {Title: "Lot", Kind: export.Text},
	{Title: "Serial", Kind: export.Text}, {Title: "Qty expected", Kind: export.Int}, {Title: "Qty counted", Kind: export.Int},
	{Title: "Variance", Kind: export.Int},
}

// exportCount answers a count session's variances, the count report, as
// the caller may see them: a blind session hides them from its counters
// until it is approved, and so does its export.
func (s *server) exportCount(c *gin.Context, u *inventory.User, f export.Format) {
	rep, err := s.store.CountReport(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.viewCount(u, rep)
	if v.ExpectedHidden {
		refuse(c, CodeForbidden, "", "count %s is blind: its variances are hidden from its counters until it is approved", v.Number)
		return
	}
	rows := make([][]export.Cell, len(v.Variances))
	for i, x := range v.Variances {
		rows[i] = []export.Cell{export.S(x.Bin), export.S(x.SKU), export.S(x.Lot), export.S(x.Serial),
			export.I(x.Expected), export.I(x.Counted), export.I(x.Variance)}
	}
	s.sendTable(c, f, "count-"+v.Number, export.Table{Sheet: "Count variances", Columns: varianceColumns, Rows: export.Rows(rows)})
}

// --- transfer discrepancies ---

var transferColumns = []export.Column{
	{Title: "Transfer", Kind: export.Text}, {Title: "Direction", Kind: export.Text}, {Title: "From depot", Kind: export.Text},
	{Title: "To depot", Kind: export.Text}, {Title: "Status", Kind: export.Text}, {Title: "Expected date", Kind: export.Date},
	{Title: "Overdue", Kind: export.Bool}, {Title: "Part", Kind: export.Text}, {Title: "Requested", Kind: export.Int},
	{Title: "Shipped", Kind: export.Int}, {Title: "Received", Kind: export.Int}, {Title: "Damaged", Kind: export.Int},
	{Title: "Over", Kind: export.Int}, {Title: "Short", Kind: export.Int}, {Title: "Written off", Kind: export.Int},
}

// transferRows are a transfer's report lines, one row per part.
func transferRows(t *inventory.TransferInfo) [][]export.Cell {
	out := make([][]export.Cell, len(t.Report.Lines))
	for i, l := range t.Report.Lines {
		out[i] = []export.Cell{export.S(t.Number), export.S(string(t.Direction)), export.S(t.From), export.S(t.To),
			export.S(string(t.Status)), export.D(t.Expected), export.B(t.Overdue), export.S(l.SKU), export.I(l.Requested),
			export.I(l.Shipped), export.I(l.Received), export.I(l.Damaged), export.I(l.Over), export.I(l.Short), export.I(l.WrittenOff)}
	}
	return out
}

// hasDifferences says whether what arrived is not what was asked or sent:
// a line shipped other than requested once sealed, or anything over,
// damaged, short or written off.
func hasDifferences(t *inventory.TransferInfo) bool {
	sealed := t.Status == inventory.TransferShipped || t.Status == inventory.TransferReceived || t.Status == inventory.TransferClosed
	for _, l := range t.Report.Lines {
		if l.Over > 0 || l.Damaged > 0 || l.Short > 0 || l.WrittenOff > 0 || (sealed && l.Shipped != l.Requested) {
			return true
		}
	}
	return false
}

// transferQuery reads the filters of GET /transfers; differences keeps
// only the transfers with differences.
func transferQuery(c *gin.Context) (f inventory.TransferFilter, differences bool, err error) {
	f = inventory.TransferFilter{Status: inventory.TransferStatus(c.Query("status")), Direction: inventory.TransferDirection(c.Query("direction"))}
	switch f.Status {
	case "", inventory.TransferRequested, inventory.TransferApproved, inventory.TransferShipped, inventory.TransferReceived, inventory.TransferClosed:
	default:
		return f, false, apiErr(inventory.CodeInvalid, "status", "requested, approved, shipped, received or closed")
	}
	switch f.Direction {
	case "", inventory.TransferOutbound, inventory.TransferInbound:
	default:
		return f, false, apiErr(inventory.CodeInvalid, "direction", "outbound or inbound")
	}
	for _, flag := range []struct {
		name string
		to   *bool
	}{{"overdue", &f.Overdue}, {"differences", &differences}} {
		switch c.Query(flag.name) {
		case "", "false":
		case "true":
			*flag.to = true
		default:
			return f, false, apiErr(inventory.CodeInvalid, flag.name, "true or false")
		}
	}
	return f, differences, nil
}

// transfers reads a page of transfers matching f, only those with
// differences when asked: the store filters the rest, this filter reads
// on until the page is full.
func (s *server) transfers(f inventory.TransferFilter, differences bool, pg inventory.Page) ([]inventory.TransferInfo, error) {
	if !differences {
		return s.store.Transfers(f, pg)
	}
	out := []inventory.TransferInfo{}
	for {
		items, err := s.store.Transfers(f, inventory.Page{After: pg.After, Limit: 500})
		if err != nil {
			return nil, err
		}
		for i := range items {
			if hasDifferences(&items[i]) {
				out = append(out, items[i])
				if len(out) == pg.Limit {
					return out, nil
				}
			}
		}
		if len(items) < 500 {
			return out, nil
		}
		pg.After = items[len(items)-1].Number
	}
}

func (s *server) exportTransfer(c *gin.Context, _ *inventory.User, f export.Format) {
	t, err := s.store.Transfer(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendTable(c, f, "transfer-"+t.Number, export.Table{Sheet: "Transfer discrepancies", Columns: transferColumns, Rows: export.Rows(transferRows(&t))})
}

// exportTransfers answers every transfer matching the list's filters
// from ?after= (not a page), one row per line.
func (s *server) exportTransfers(c *gin.Context, _ *inventory.User, f export.Format) {
	tf, diff, err := transferQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit, err := queryLimit(c, maxTransferExport, maxTransferExport)
	if err != nil {
		s.fail(c, err)
		return
	}
	after := c.Query("after")
	s.sendTable(c, f, "transfers", export.Table{Sheet: "Transfers", Columns: transferColumns, Rows: func(emit func([]export.Cell) error) error {
		for n := 0; n < limit; {
			want := min(500, limit-n)
			items, err := s.transfers(tf, diff, inventory.Page{After: after, Limit: want})
			if err != nil {
				return err
			}
			for i := range items {
				for _, row := range transferRows(&items[i]) {
					if err := emit(row); err != nil {
						return err
					}
				}
			}
			n += len(items)
			if len(items) < want {
				return nil
			}
			after = items[len(items)-1].Number
		}
		return nil
	}})
}
