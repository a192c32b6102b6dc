package hqapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// chartRoutes serve the data behind the planner's charts: a part's stock
// and demand over time, and each depot's fill rate and stock-outs.
func (s *server) chartRoutes(v1 *gin.RouterGroup) {
	v1.GET("/parts/:sku/history", s.authed(anyone, s.partHistory))
	v1.GET("/fill-rate", s.authed(anyone, s.fillRate))
}

// queryDays reads ?days=: a whole number of days, 0 (the store's
// default) when absent. The store bounds the window (hq.MaxChartDays).
func queryDays(c *gin.Context) (int, error) { return parseDays(c.Query("days")) }

func parseDays(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, invalidQuery("days", "must be a whole number of days, at least 1")
	}
	return n, nil
}

func (s *server) partHistory(c *gin.Context) {
	days, err := queryDays(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ph, err := s.hq.PartHistory(c.Param("sku"), days, c.Query("depot"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, ph)
}

func (s *server) fillRate(c *gin.Context) {
	days, err := queryDays(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.hq.FillRates(days)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
