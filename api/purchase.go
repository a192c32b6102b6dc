package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listPurchaseOrders(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := inventory.POFilter{Status: inventory.POStatus(c.Query("status")), Supplier: c.Query("supplier")}
	if f.Status != "" && f.Status != inventory.POOpen && f.Status != inventory.POClosed {
		s.fail(c, apiErr(inventory.CodeInvalid, "status", "open or closed"))
		return
	}
	items, err := s.store.PurchaseOrders(f, inventory.Page{After: c.Query("after"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, func(o inventory.PurchaseOrderState) string { return o.Number }))
}

// purchaseOrderView is an order with its expected-vs-received report.
type purchaseOrderView struct {
	inventory.PurchaseOrderState
	Report inventory.POReport `json:"report"`
}

func (s *server) getPurchaseOrder(c *gin.Context, _ *inventory.User) {
	o, err := s.store.PurchaseOrder(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.store.Discrepancies(o.Number)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, purchaseOrderView{o, r})
}

func (s *server) postPurchaseOrder(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvPOCreated) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not create purchase orders")
		return
	}
	var o inventory.PurchaseOrder
	if !s.decode(c, &o) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvPOCreated, Ref: o.Number, Order: &o})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, struct {
		Order *inventory.PurchaseOrder `json:"order"`
		Event *inventory.Event         `json:"event"`
	}{res.Event.Order, &res.Event})
}

type closeBody struct {
	Note string `json:"note"`
}

// closePurchaseOrder ends receiving against an order; the event carries
// the discrepancy report as it stood.
func (s *server) closePurchaseOrder(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvPOClosed) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not close purchase orders")
		return
	}
	var b closeBody
	if !s.decode(c, &b) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvPOClosed, Ref: c.Param("number"), Note: b.Note})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, struct {
		Report *inventory.POReport `json:"report"`
		Event  *inventory.Event    `json:"event"`
	}{res.Event.Report, &res.Event})
}

func (s *server) listShippingNotices(c *gin.Context, _ *inventory.User) {
	limit, err := queryLimit(c, defaultPage, maxCatalogPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	items, err := s.store.ShippingNotices(c.Query("order"), inventory.Page{After: c.Query("after"), Limit: limit + 1})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, page(items, limit, func(n inventory.NoticeState) string { return n.Number }))
}

func (s *server) getShippingNotice(c *gin.Context, _ *inventory.User) {
	n, err := s.store.ShippingNotice(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, n)
}

// postShippingNotice announces a delivery's pallets (an asn-announced
// event), so the dock receives each by one scan of its SSCC.
func (s *server) postShippingNotice(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvASNAnnounced) {
		refuse(c, CodeForbidden, "", "the "+u.Role+" role may not announce shipping notices")
		return
	}
	var n inventory.ShippingNotice
	if !s.decode(c, &n) {
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvASNAnnounced, Ref: n.Order, Notice: &n})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, struct {
		Notice *inventory.ShippingNotice `json:"notice"`
		Event  *inventory.Event          `json:"event"`
	}{res.Event.Notice, &res.Event})
}

// palletView is an announced pallet with the notice and order it belongs to.
type palletView struct {
	inventory.PalletState
	Notice string `json:"notice"`
	Order  string `json:"order"`
}

func (s *server) getPallet(c *gin.Context, _ *inventory.User) {
	n, p, err := s.store.PalletBySSCC(c.Param("sscc"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, palletView{p, n.Number, n.Order})
}
