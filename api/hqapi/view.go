package hqapi

import (
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// maxSiteBody bounds a site's body: a name of at most 200 bytes and two
// numbers fit many times over.
const maxSiteBody = 4 << 10

// viewRoutes serve the global view: stock per part per depot, transfers in
// transit, reorder signals and lateral-transfer suggestions.
func (s *server) viewRoutes(v1 *gin.RouterGroup) {
	v1.GET("/depots/:id/stock", s.authed(anyone, s.depotStock))
	v1.PUT("/depots/:id/site", s.authed(planners, s.putSite))
	v1.GET("/sites", s.authed(anyone, func(c *gin.Context) {
		sites, err := s.hq.Sites()
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": sites})
	}))
	v1.GET("/stock", s.authed(anyone, s.exportable(s.globalStock, s.exportGlobalStock)))
	v1.GET("/transfers", s.authed(anyone, s.exportable(s.transfers, s.exportTransfers)))
	v1.GET("/transfers/:number", s.authed(anyone, func(c *gin.Context) {
		v, err := s.hq.Transfer(c.Param("number"), c.Query("from"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	}))
	v1.GET("/reorder-signals", s.authed(anyone, s.signals))
	v1.GET("/suggestions", s.authed(anyone, s.suggestions))
}

// invalidQuery refuses a query parameter; format, a string literal, is
// translated, args stay as they are.
func invalidQuery(field, format string, args ...any) error {
	return inventory.Errorf(inventory.CodeInvalid, field, format, args...)
}

// queryLimit reads ?limit= (1..max; def when absent).
func queryLimit(c *gin.Context, def, maxN int) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxN {
		return 0, invalidQuery("limit", "must be 1 to %d", maxN)
	}
	return n, nil
}

// queryBool reads a flag: true, false or absent (false).
func queryBool(c *gin.Context, name string) (bool, error) {
	switch c.Query(name) {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, invalidQuery(name, "must be true or false")
}

// depotStock answers {"depot": id, "balances": [...]}: the depot's balance
// rows as HQ derived them, the rows the depot's own GET /api/v1/stock
// lists. "truncated" is added only when ?limit= cut the list.
func (s *server) depotStock(c *gin.Context) {
	limit, err := queryLimit(c, hq.MaxBalances, hq.MaxBalances)
	if err != nil {
		s.fail(c, err)
		return
	}
	id := c.Param("id")
	rows, err := s.hq.Balances(id, hq.BalanceFilter{SKU: c.Query("sku"), Location: c.Query("location"),
		Lot: c.Query("lot"), Serial: c.Query("serial"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(rows) > limit {
		c.JSON(http.StatusOK, gin.H{"depot": id, "balances": rows[:limit], "truncated": true})
		return
	}
	c.JSON(http.StatusOK, gin.H{"depot": id, "balances": rows})
}

// globalStock answers a page of parts across depots; "next" is the SKU to
// pass as ?after= for the next page, set when the page is full.
func (s *server) globalStock(c *gin.Context) {
	f, err := globalQuery(c, 100, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.hq.GlobalStock(f)
	if err != nil {
		s.fail(c, err)
		return
	}
	ans := gin.H{"items": items}
	if len(items) == f.Limit {
		ans["next"] = items[len(items)-1].SKU
	}
	c.JSON(http.StatusOK, ans)
}

// globalQuery reads the global view's filters; limit counts parts (def
// when absent, up to maxN).
func globalQuery(c *gin.Context, def, maxN int) (hq.GlobalFilter, error) {
	limit, err := queryLimit(c, def, maxN)
	if err != nil {
		return hq.GlobalFilter{}, err
	}
	below, err := queryBool(c, "belowReorderPoint")
	if err != nil {
		return hq.GlobalFilter{}, err
	}
	excess, err := queryBool(c, "excess")
	if err != nil {
		return hq.GlobalFilter{}, err
	}
	return hq.GlobalFilter{SKU: c.Query("sku"), Depot: c.Query("depot"),
		BelowReorderPoint: below, Excess: excess, After: c.Query("after"), Limit: limit}, nil
}

func (s *server) transfers(c *gin.Context) {
	f, err := transferQuery(c, 1000, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.hq.Transfers(f)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// transferQuery reads the filters of the transfer list; limit as
// globalQuery's.
func transferQuery(c *gin.Context, def, maxN int) (hq.TransferFilter, error) {
	limit, err := queryLimit(c, def, maxN)
	if err != nil {
		return hq.TransferFilter{}, err
	}
	overdue, err := queryBool(c, "overdue")
	if err != nil {
		return hq.TransferFilter{}, err
	}
	diff, err := queryBool(c, "differences")
	if err != nil {
		return hq.TransferFilter{}, err
	}
	status := inventory.TransferStatus(c.Query("status"))
	switch status {
	case "", inventory.TransferRequested, inventory.TransferApproved, inventory.TransferShipped,
		inventory.TransferReceived, inventory.TransferClosed:
	default:
		return hq.TransferFilter{}, invalidQuery("status", "must be requested, approved, shipped, received or closed")
	}
	return hq.TransferFilter{Status: status, From: c.Query("from"), To: c.Query("to"),
		Overdue: overdue, Differences: diff, After: c.Query("after"), Limit: limit}, nil
}

func (s *server) signals(c *gin.Context) {
	limit, err := queryLimit(c, 1000, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := c.Query("status")
	if status == "all" {
		status = ""
	}
	items, err := s.hq.Signals(hq.SignalFilter{Depot: c.Query("depot"), SKU: c.Query("sku"), Status: status, Limit: limit})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (s *server) suggestions(c *gin.Context) {
	limit, err := queryLimit(c, 1000, 1000)
	if err != nil {
		s.fail(c, err)
		return
	}
	days := 0
	if v := c.Query("noDemandDays"); v != "" {
		if days, err = strconv.Atoi(v); err != nil || days < 1 {
			s.fail(c, invalidQuery("noDemandDays", "must be a whole number of days, at least 1"))
			return
		}
	}
	items, err := s.hq.Suggestions(hq.SuggestionFilter{SKU: c.Query("sku"), From: c.Query("from"), To: c.Query("to"),
		NoDemandDays: days, Limit: limit})
	if err != nil {
		s.fail(c, err)
		return
	}
	if days == 0 {
		days = hq.DefaultNoDemandDays
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "noDemandDays": days})
}

func (s *server) putSite(c *gin.Context) {
	site, err := decodeSite(http.MaxBytesReader(c.Writer, c.Request.Body, maxSiteBody))
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.hq.SetSite(c.Param("id"), site); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"depot": c.Param("id"), "site": site})
}

// siteBody is a site as a client sends it: every field is required, so a
// forgotten coordinate is refused rather than taken as 0 (the Gulf of
// Guinea).
type siteBody struct {
	Name *string  `json:"name"`
	Lat  *float64 `json:"lat"`
	Lon  *float64 `json:"lon"`
}

// decodeSite decodes a site body strictly: one JSON object with exactly
// the known fields, nothing after it, and a site that passes its checks.
func decodeSite(r io.Reader) (hq.Site, error) {
	var b siteBody
	if err := decodeJSON(r, &b); err != nil {
		return hq.Site{}, err
	}
	for _, f := range []struct {
		name    string
		missing bool
	}{{"name", b.Name == nil}, {"lat", b.Lat == nil}, {"lon", b.Lon == nil}} {
		if f.missing {
			return hq.Site{}, bodyErr(inventory.CodeInvalid, f.name, "is required")
		}
	}
	site := hq.Site{Name: *b.Name, Lat: *b.Lat, Lon: *b.Lon}
	if err := site.Check(); err != nil {
		return hq.Site{}, err
	}
	return site, nil
}
