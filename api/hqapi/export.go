package hqapi

import (
	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/replication/hq"
)

// Exports of the global view: ?format=csv|xlsx on GET /stock and
// GET /transfers, with the JSON answer's filters, not paged.

const (
	// maxGlobalExport bounds the parts a global stock export walks.
	maxGlobalExport = 1_000_000
	// maxTransferExport bounds the transfers a transfer export walks.
	maxTransferExport = 100_000
	// exportPage is how many parts or transfers one read takes.
	exportPage = 1000
)

// exportable serves a route's JSON answer, or its export when ?format=
// asks for one; an unknown format is refused as invalid.
func (s *server) exportable(answer gin.HandlerFunc, exp func(*gin.Context, export.Format)) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, err := export.ParseFormat(c.Query("format"))
		if err != nil {
			s.fail(c, invalidQuery("format", "must be json, csv or xlsx"))
			return
		}
		if f == export.JSON {
			answer(c)
			return
		}
		exp(c, f)
	}
}

// sendTable answers t as HQ's attachment name of today; see
// export.Send.
func (s *server) sendTable(c *gin.Context, f export.Format, name string, t export.Table) {
	if err := export.Send(c, s.log, f, export.Filename("HQ", name, s.now(), f), t); err != nil {
		s.fail(c, err)
	}
}

// globalStockColumns: one row per part and depot, the figures of the
// global view (stock and van locations; quarantine and defective apart).
var globalStockColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Depot", Kind: export.Text}, {Title: "On hand", Kind: export.Int},
	{Title: "Reserved", Kind: export.Int}, {Title: "Available", Kind: export.Int}, {Title: "Quarantine", Kind: export.Int},
	{Title: "Defective", Kind: export.Int}, {Title: "Inbound", Kind: export.Int}, {Title: "On order", Kind: export.Int}, {Title: "Position", Kind: export.Int},
	{Title: "Reorder point", Kind: export.Int}, {Title: "Order-up-to", Kind: export.Int},
	{Title: "Below reorder point", Kind: export.Bool}, {Title: "Excess", Kind: export.Bool},
}

func optInt(p *int64) export.Cell {
	if p == nil {
		return export.Cell{}
	}
	return export.I(*p)
}

func (s *server) exportGlobalStock(c *gin.Context, f export.Format) {
	q, err := globalQuery(c, maxGlobalExport, maxGlobalExport)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit := q.Limit
	s.sendTable(c, f, "stock", export.Table{Sheet: "Global stock", Columns: globalStockColumns, Rows: func(emit func([]export.Cell) error) error {
		for n := 0; n < limit; {
			q.Limit = min(exportPage, limit-n)
			items, err := s.hq.GlobalStock(q)
			if err != nil {
				return err
			}
			for _, p := range items {
				for _, d := range p.Depots {
					if err := emit([]export.Cell{export.S(p.SKU), export.S(d.Depot), export.I(d.OnHand), export.I(d.Reserved),
						export.I(d.Available), export.I(d.Quarantine), export.I(d.Defective), export.I(d.Inbound), export.I(d.OnOrder), export.I(d.Position.Total),
						optInt(d.ReorderPoint), optInt(d.OrderUpTo), export.B(d.BelowReorderPoint), export.B(d.Excess)}); err != nil {
						return err
					}
				}
			}
			n += len(items)
			if len(items) < q.Limit {
				return nil
			}
			q.After = items[len(items)-1].SKU
		}
		return nil
	}})
}

// transferColumns: one row per line of each transfer, both ends merged.
var transferColumns = []export.Column{
	{Title: "Transfer", Kind: export.Text}, {Title: "From depot", Kind: export.Text}, {Title: "To depot", Kind: export.Text},
	{Title: "Status", Kind: export.Text}, {Title: "Expected date", Kind: export.Date}, {Title: "Overdue", Kind: export.Bool},
	{Title: "Differences", Kind: export.Bool}, {Title: "Part", Kind: export.Text}, {Title: "Requested", Kind: export.Int},
	{Title: "Shipped", Kind: export.Int}, {Title: "Received", Kind: export.Int}, {Title: "Damaged", Kind: export.Int},
	{Title: "Over", Kind: export.Int}, {Title: "Short", Kind: export.Int}, {Title: "Written off", Kind: export.Int},
}

func transferRows(v *hq.TransferView) [][]export.Cell {
	out := make([][]export.Cell, len(v.Lines))
	for i, l := range v.Lines {
		out[i] = []export.Cell{export.S(v.Number), export.S(v.From), export.S(v.To), export.S(string(v.Status)),
			export.D(v.Expected), export.B(v.Overdue), export.B(v.Differences), export.S(l.SKU), export.I(l.Requested),
			export.I(l.Shipped), export.I(l.Received), export.I(l.Damaged), export.I(l.Over), export.I(l.Short), export.I(l.WrittenOff)}
	}
	return out
}

func (s *server) exportTransfers(c *gin.Context, f export.Format) {
	q, err := transferQuery(c, maxTransferExport, maxTransferExport)
	if err != nil {
		s.fail(c, err)
		return
	}
	limit := q.Limit
	s.sendTable(c, f, "transfers", export.Table{Sheet: "Transfers", Columns: transferColumns, Rows: func(emit func([]export.Cell) error) error {
		for n := 0; n < limit; {
			q.Limit = min(exportPage, limit-n)
			items, err := s.hq.Transfers(q)
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
			if len(items) < q.Limit {
				return nil
			}
			q.After = items[len(items)-1].Number
		}
		return nil
	}})
}

// exportTitles are every text the exports show, for the catalogue test.
func exportTitles() []string {
	out := []string{"Global stock", "Transfers"}
	out = append(out, export.Titles(globalStockColumns)...)
	return append(out, export.Titles(transferColumns)...)
}
