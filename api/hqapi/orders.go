package hqapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// PartsRequest is the body of POST /api/v1/parts: a catalogue entry for
// the depots named, or every depot HQ knows when none is.
type PartsRequest struct {
	Depots []string       `json:"depots,omitempty"`
	Part   inventory.Part `json:"part"`
}

// orderRoutes let planners send transfer orders and policies down to the
// depots as commands, and follow what became of them.
func (s *server) orderRoutes(v1 *gin.RouterGroup) {
	v1.POST("/transfer-orders", s.authed(planners, func(c *gin.Context) {
		var o hq.TransferOrder
		if err := decodeJSON(c.Request.Body, &o); err != nil {
			s.fail(c, err)
			return
		}
		st, err := s.hq.CreateTransferOrder(o, who(c).Name, c.GetHeader("Idempotency-Key"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Location", "/api/v1/transfer-orders/"+st.Number)
		c.JSON(http.StatusCreated, st)
	}))
	v1.GET("/transfer-orders", s.authed(anyone, func(c *gin.Context) {
		var after uint64
		if v := c.Query("after"); v != "" {
			n, err := strconv.ParseUint(strings.TrimPrefix(v, hq.OrderPrefix), 10, 64)
			if err != nil {
				refuse(c, inventory.CodeInvalid, "after", "must be a transfer order's number")
				return
			}
			after = n
		}
		limit := hq.MaxOrders
		if v := c.Query("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > hq.MaxOrders {
				refuse(c, inventory.CodeInvalid, "limit", "must be 1 to %d", hq.MaxOrders)
				return
			}
			limit = n
		}
		os, err := s.hq.TransferOrders(after, limit)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"transferOrders": os})
	}))
	v1.GET("/transfer-orders/:number", s.authed(anyone, func(c *gin.Context) {
		st, err := s.hq.TransferOrder(c.Param("number"))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, st)
	}))
	v1.POST("/depots/:id/reorder-policies", s.authed(planners, func(c *gin.Context) {
		var p inventory.ReorderPolicy
		if err := decodeJSON(c.Request.Body, &p); err != nil {
			s.fail(c, err)
			return
		}
		seq, err := s.hq.SetPolicy(c.Param("id"), who(c).Name, c.GetHeader("Idempotency-Key"), p)
		if err != nil {
			s.fail(c, err)
			return
		}
		// Accepted, not done: the depot applies it when it gets it, and
		// GET .../commands says what became of it.
		c.JSON(http.StatusAccepted, gin.H{"depot": c.Param("id"), "seq": seq})
	}))
	v1.POST("/parts", s.authed(planners, func(c *gin.Context) {
		var req PartsRequest
		if err := decodeJSON(c.Request.Body, &req); err != nil {
			s.fail(c, err)
			return
		}
		seqs, err := s.hq.DefinePart(req.Depots, who(c).Name, c.GetHeader("Idempotency-Key"), req.Part)
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusAccepted, gin.H{"sku": req.Part.SKU, "commands": seqs})
	}))
	v1.GET("/depots/:id/commands", s.authed(anyone, func(c *gin.Context) {
		after, limit, err := page(c)
		if err != nil {
			s.fail(c, err)
			return
		}
		id := c.Param("id")
		known, err := s.hq.KnownDepot(id)
		if err != nil {
			s.fail(c, err)
			return
		}
		if !known {
			refuse(c, hq.CodeUnknownDepot, "id", "no such depot")
			return
		}
		cs, err := s.hq.Commands(id, after, min(limit, hq.MaxCommands))
		if err != nil {
			s.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"depot": id, "commands": cs})
	}))
}
