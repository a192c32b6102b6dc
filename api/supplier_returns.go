package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listSupplierReturns(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.SupplierReturnState, error) {
		f := inventory.RTSFilter{Status: inventory.RTSStatus(c.Query("status")), Supplier: c.Query("supplier")}
		if f.Status != "" && f.Status != inventory.RTSOpen && f.Status != inventory.RTSShipped {
			return nil, apiErr(inventory.CodeInvalid, "status", "open or shipped")
		}
		return s.store.SupplierReturns(f, pg)
	}, func(b inventory.SupplierReturnState) string { return b.Number })
}

func (s *server) getSupplierReturn(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "number", s.store.SupplierReturn)
}

// supplierReturnBody is a batch of defective stock for one supplier.
type supplierReturnBody struct {
	Number   string           `json:"number"`
	Supplier string           `json:"supplier"`
	Note     string           `json:"note,omitempty"`
	Lines    []inventory.Line `json:"lines"` // sku, qty, from (a defective location), lot, serials
}

func (s *server) postSupplierReturn(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvRTSCreated, "the %s role may not create return-to-supplier batches", http.StatusCreated,
		func(b *supplierReturnBody) inventory.Command {
			return inventory.Command{Ref: b.Number, Supplier: b.Supplier, Note: b.Note, Lines: b.Lines}
		}, eventAnswer)
}

// shipSupplierReturn takes the batch's stock out of the defective store.
func (s *server) shipSupplierReturn(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvRTSShipped, "the %s role may not ship return-to-supplier batches", http.StatusOK,
		func(b *closeBody) inventory.Command { return inventory.Command{Ref: c.Param("number"), Note: b.Note} },
		eventAnswer)
}
