package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listSupplierReturns(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := inventory.RTSFilter{Status: inventory.RTSStatus(c.Query("status")), Supplier: c.Query("supplier")}
	if f.Status != "" && f.Status != inventory.RTSOpen && f.Status != inventory.RTSShipped {
		s.fail(c, apiErr(inventory.CodeInvalid, "status", "open or shipped"))
		return
	}
	items, err := s.store.SupplierReturns(f, inventory.Page{After: c.Query("after"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, func(b inventory.SupplierReturnState) string { return b.Number }))
}

func (s *server) getSupplierReturn(c *gin.Context, _ *inventory.User) {
	b, err := s.store.SupplierReturn(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, b)
}

// supplierReturnBody is a batch of defective stock for one supplier.
type supplierReturnBody struct {
	Number   string           `json:"number"`
	Supplier string           `json:"supplier"`
	Note     string           `json:"note,omitempty"`
	Lines    []inventory.Line `json:"lines"` // sku, qty, from (a defective location), lot, serials
}

func (s *server) postSupplierReturn(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvRTSCreated) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not create return-to-supplier batches")
		return
	}
	var b supplierReturnBody
	if !s.decode(c, &b) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvRTSCreated, Ref: b.Number, Supplier: b.Supplier, Note: b.Note, Lines: b.Lines})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, struct {
		Event *inventory.Event `json:"event"`
	}{&res.Event})
}

// shipSupplierReturn takes the batch's stock out of the defective store.
func (s *server) shipSupplierReturn(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvRTSShipped) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not ship return-to-supplier batches")
		return
	}
	var b closeBody
	if !s.decode(c, &b) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvRTSShipped, Ref: c.Param("number"), Note: b.Note})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, struct {
		Event *inventory.Event `json:"event"`
	}{&res.Event})
}
