package hqapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// depotRoutes are what HQ holds of each depot: its replication state and
// the events it replicated, exactly as the depot stored them.
func (s *server) depotRoutes(v1 *gin.RouterGroup) {
	v1.GET("/depots", s.authed(anyone, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"depots": s.hq.Depots()})
	}))
	v1.GET("/depots/:id", s.authed(anyone, func(c *gin.Context) {
		d, ok := s.hq.Depot(c.Param("id"))
		if !ok {
			refuse(c, hq.CodeUnknownDepot, "id", "no such depot")
			return
		}
		c.JSON(http.StatusOK, d)
	}))
	v1.GET("/depots/:id/events", s.authed(anyone, func(c *gin.Context) {
		after, limit, err := page(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		evs, err := s.hq.Events(c.Param("id"), after, limit)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"depot": c.Param("id"), "events": evs})
	}))
}

// page reads ?after= (a seq, default 0) and ?limit= (1..hq.MaxEvents).
func page(c *gin.Context) (after uint64, limit int, err error) {
	if v := c.Query("after"); v != "" {
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, &inventory.Error{Code: inventory.CodeInvalid, Field: "after", Msg: "must be a seq (a whole number)"}
		}
	}
	limit = hq.MaxEvents
	if v := c.Query("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > hq.MaxEvents {
			return 0, 0, inventory.Errorf(inventory.CodeInvalid, "limit", "must be 1 to %d", hq.MaxEvents)
		}
	}
	return after, limit, nil
}
