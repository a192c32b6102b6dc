package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Reports (inventory/reports.go) as JSON, CSV or XLSX. Every role may
// read them, like the rest of the depot's figures.

// defaultReportDays is the period a report covers when ?from= is absent.
const defaultReportDays = 30

// maxReportDays bounds a period: the replay is one pass over the log
// either way, but a span of centuries is a typo.
const maxReportDays = 3660

func (s *server) reportRoutes(v1 *gin.RouterGroup) {
	v1.GET("/reports/slow-moving", s.authed(accessRead, s.exportable(s.slowMovingReport, s.exportSlowMoving)))
	v1.GET("/reports/consumption", s.authed(accessRead, s.exportable(s.consumptionReport, s.exportConsumption)))
	v1.GET("/reports/stock-outs", s.authed(accessRead, s.exportable(s.stockOutReport, s.exportStockOuts)))
	v1.GET("/reports/fill-rate", s.authed(accessRead, s.exportable(s.fillRateReport, s.exportFillRate)))
	v1.GET("/reports/turns", s.authed(accessRead, s.exportable(s.turnsReport, s.exportTurns)))
}

// parsePeriod reads a report's ?from= and ?to=: RFC 3339 times or days
// (YYYY-MM-DD, UTC). The period is [from, to); a day given as to counts in
// whole, so the period ends at the next midnight. To defaults to now, from
// to 30 days before to.
func parsePeriod(from, to string, now time.Time) (inventory.Period, error) {
	p := inventory.Period{To: now.UTC()}
	if to != "" {
		t, day, err := parseReportTime(to)
		if err != nil {
			return p, apiErr(inventory.CodeInvalid, "to", "must be an RFC 3339 time or a day (YYYY-MM-DD) from 1970 on")
		}
		if day {
			t = t.AddDate(0, 0, 1)
		}
		p.To = t
	}
	p.From = p.To.AddDate(0, 0, -defaultReportDays)
	if from != "" {
		t, _, err := parseReportTime(from)
		if err != nil {
			return p, apiErr(inventory.CodeInvalid, "from", "must be an RFC 3339 time or a day (YYYY-MM-DD) from 1970 on")
		}
		p.From = t
	}
	switch {
	case !p.From.Before(p.To):
		return p, apiErr(inventory.CodeInvalid, "from", "must be before to")
	case p.To.Sub(p.From) > maxReportDays*24*time.Hour:
		return p, apiErrf(inventory.CodeInvalid, "from", "a period is at most %d days", maxReportDays)
	}
	return p, nil
}

var errReportTime = errors.New("must be an RFC 3339 time or a day (YYYY-MM-DD) from 1970 on")

// parseReportTime reads one bound and says whether it was a day.
func parseReportTime(v string) (time.Time, bool, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}, false, errReportTime
	}
	return t.UTC(), false, nil
}

func (s *server) queryPeriod(c *gin.Context) (inventory.Period, error) {
	return parsePeriod(c.Query("from"), c.Query("to"), s.clock.Now())
}

// queryDays reads a whole number of days, 0 when absent.
func queryDays(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, apiErr(inventory.CodeInvalid, name, "must be a whole number of days, at least 1")
	}
	return n, nil
}

// reportLang is the language of a report's own texts in an export.
func reportLang(c *gin.Context) i18n.Lang { return problem.LangOf(c) }

// allParts is the label of a report's overall row.
const allParts = "All parts"

func timeCell(t *time.Time) export.Cell {
	if t == nil {
		return export.Cell{}
	}
	return export.T(*t)
}

func floatCell(f *float64) export.Cell {
	if f == nil {
		return export.Cell{}
	}
	return export.F(*f)
}

// --- slow-moving and dead stock ---

var slowMovingColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Description", Kind: export.Text}, {Title: "On hand", Kind: export.Int},
	{Title: "Last issue (UTC)", Kind: export.Time}, {Title: "Last movement (UTC)", Kind: export.Time}, {Title: "Status", Kind: export.Text},
}

func (s *server) readSlowMoving(c *gin.Context) (inventory.SlowMovingReport, error) {
	slow, err := queryDays(c, "slowDays")
	if err != nil {
		return inventory.SlowMovingReport{}, err
	}
	dead, err := queryDays(c, "deadDays")
	if err != nil {
		return inventory.SlowMovingReport{}, err
	}
	return s.store.SlowMoving(inventory.SlowMovingQuery{Now: s.clock.Now(), SlowDays: slow, DeadDays: dead})
}

func (s *server) slowMovingReport(c *gin.Context, _ *inventory.User) {
	answerReport(s, c, s.readSlowMoving)
}

func (s *server) exportSlowMoving(c *gin.Context, _ *inventory.User, f export.Format) {
	rep, err := s.readSlowMoving(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([][]export.Cell, len(rep.Items))
	for i, r := range rep.Items {
		rows[i] = []export.Cell{export.S(r.SKU), export.S(r.Description), export.I(r.OnHand), timeCell(r.LastIssue),
			timeCell(r.LastMovement), export.S(r.Status)}
	}
	s.sendTable(c, f, "slow-moving", export.Table{Sheet: "Slow-moving and dead stock", Columns: slowMovingColumns, Rows: export.Rows(rows)})
}

// answerReport answers a report's JSON.
func answerReport[T any](s *server, c *gin.Context, read func(*gin.Context) (T, error)) {
	rep, err := read(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, rep)
}

// --- consumption ---

// consumptionColumns names the first column after what the rows are.
func consumptionColumns(by string) []export.Column {
	first := map[string]string{inventory.ByWorkOrder: "Work order", inventory.ByEngineer: "Engineer", inventory.ByPart: "Part"}[by]
	return []export.Column{{Title: first, Kind: export.Text}, {Title: "Quantity issued", Kind: export.Int},
		{Title: "Quantity returned", Kind: export.Int}, {Title: "Net consumption", Kind: export.Int}}
}

func (s *server) readConsumption(c *gin.Context) (inventory.ConsumptionReport, error) {
	p, err := s.queryPeriod(c)
	if err != nil {
		return inventory.ConsumptionReport{}, err
	}
	return s.store.Consumption(p, c.DefaultQuery("by", inventory.ByPart))
}

func (s *server) consumptionReport(c *gin.Context, _ *inventory.User) {
	answerReport(s, c, s.readConsumption)
}

func (s *server) exportConsumption(c *gin.Context, _ *inventory.User, f export.Format) {
	rep, err := s.readConsumption(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([][]export.Cell, len(rep.Items))
	for i, r := range rep.Items {
		rows[i] = []export.Cell{export.S(r.Key), export.I(r.Issued), export.I(r.Returned), export.I(r.Consumed)}
	}
	s.sendTable(c, f, "consumption-by-"+rep.By, export.Table{Sheet: "Consumption", Columns: consumptionColumns(rep.By), Rows: export.Rows(rows)})
}

// --- stock-outs and fill rate ---

var stockOutColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Start (UTC)", Kind: export.Time}, {Title: "End (UTC)", Kind: export.Time},
	{Title: "Hours", Kind: export.Float}, {Title: "Ongoing", Kind: export.Bool},
}

func (s *server) readStockOuts(c *gin.Context) (inventory.StockOutReport, error) {
	p, err := s.queryPeriod(c)
	if err != nil {
		return inventory.StockOutReport{}, err
	}
	return s.store.StockOuts(p)
}

func (s *server) stockOutReport(c *gin.Context, _ *inventory.User) {
	answerReport(s, c, s.readStockOuts)
}

func (s *server) exportStockOuts(c *gin.Context, _ *inventory.User, f export.Format) {
	rep, err := s.readStockOuts(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([][]export.Cell, len(rep.Items))
	for i, r := range rep.Items {
		rows[i] = []export.Cell{export.S(r.SKU), export.T(r.Start), export.T(r.End), export.F(r.Hours), export.B(r.Ongoing)}
	}
	s.sendTable(c, f, "stock-outs", export.Table{Sheet: "Stock-out spans", Columns: stockOutColumns, Rows: export.Rows(rows)})
}

var fillRateColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Description", Kind: export.Text}, {Title: "Work-order lines", Kind: export.Int},
	{Title: "Filled from stock", Kind: export.Int}, {Title: "Fill rate", Kind: export.Float}, {Title: "Stock-outs", Kind: export.Int},
	{Title: "Stock-out hours", Kind: export.Float},
}

func fillRateRow(r inventory.FillRateRow) []export.Cell {
	return []export.Cell{export.S(r.SKU), export.S(r.Description), export.I(r.Lines), export.I(r.Filled), floatCell(r.FillRate),
		export.I(r.StockOuts), export.F(r.StockOutHours)}
}

func (s *server) readFillRate(c *gin.Context) (inventory.FillRateReport, error) {
	p, err := s.queryPeriod(c)
	if err != nil {
		return inventory.FillRateReport{}, err
	}
	return s.store.FillRate(p)
}

func (s *server) fillRateReport(c *gin.Context, _ *inventory.User) {
	answerReport(s, c, s.readFillRate)
}

// exportFillRate writes a row per part and last the overall row, labelled
// "All parts" in the description column.
func (s *server) exportFillRate(c *gin.Context, _ *inventory.User, f export.Format) {
	rep, err := s.readFillRate(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([][]export.Cell, 0, len(rep.Items)+1)
	for _, r := range rep.Items {
		rows = append(rows, fillRateRow(r))
	}
	all := rep.Overall
	all.Description = i18n.Default().T(reportLang(c), allParts)
	rows = append(rows, fillRateRow(all))
	s.sendTable(c, f, "fill-rate", export.Table{Sheet: "Fill rate", Columns: fillRateColumns, Rows: export.Rows(rows)})
}

// --- turns ---

var turnsColumns = []export.Column{
	{Title: "Part", Kind: export.Text}, {Title: "Description", Kind: export.Text}, {Title: "Quantity issued", Kind: export.Int},
	{Title: "Average on hand", Kind: export.Float}, {Title: "Turns", Kind: export.Float},
}

func turnsRow(r inventory.TurnsRow) []export.Cell {
	return []export.Cell{export.S(r.SKU), export.S(r.Description), export.I(r.Issued), export.F(r.AverageOnHand), floatCell(r.Turns)}
}

func (s *server) readTurns(c *gin.Context) (inventory.TurnsReport, error) {
	p, err := s.queryPeriod(c)
	if err != nil {
		return inventory.TurnsReport{}, err
	}
	return s.store.Turns(p)
}

func (s *server) turnsReport(c *gin.Context, _ *inventory.User) {
	answerReport(s, c, s.readTurns)
}

func (s *server) exportTurns(c *gin.Context, _ *inventory.User, f export.Format) {
	rep, err := s.readTurns(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([][]export.Cell, 0, len(rep.Items)+1)
	for _, r := range rep.Items {
		rows = append(rows, turnsRow(r))
	}
	all := rep.Overall
	all.Description = i18n.Default().T(reportLang(c), allParts)
	rows = append(rows, turnsRow(all))
	s.sendTable(c, f, "turns", export.Table{Sheet: "Inventory turns", Columns: turnsColumns, Rows: export.Rows(rows)})
}
