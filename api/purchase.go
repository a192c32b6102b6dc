package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listPurchaseOrders(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.PurchaseOrderState, error) {
		f := inventory.POFilter{Status: inventory.POStatus(c.Query("status")), Supplier: c.Query("supplier")}
		if f.Status != "" && f.Status != inventory.POOpen && f.Status != inventory.POClosed {
			return nil, apiErr(inventory.CodeInvalid, "status", "open or closed")
		}
		return s.store.PurchaseOrders(f, pg)
	}, func(o inventory.PurchaseOrderState) string { return o.Number })
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
	postDocument(s, c, u, inventory.EvPOCreated, "the %s role may not create purchase orders", http.StatusCreated,
		func(o *inventory.PurchaseOrder) inventory.Command { return inventory.Command{Ref: o.Number, Order: o} },
		func(ev *inventory.Event) any {
			return struct {
				Order *inventory.PurchaseOrder `json:"order"`
				Event *inventory.Event         `json:"event"`
			}{ev.Order, ev}
		})
}

type closeBody struct {
	Note string `json:"note"`
}

// closePurchaseOrder ends receiving against an order; the event carries
// the discrepancy report as it stood.
func (s *server) closePurchaseOrder(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvPOClosed, "the %s role may not close purchase orders", http.StatusOK,
		func(b *closeBody) inventory.Command { return inventory.Command{Ref: c.Param("number"), Note: b.Note} },
		func(ev *inventory.Event) any {
			return struct {
				Report *inventory.POReport `json:"report"`
				Event  *inventory.Event    `json:"event"`
			}{ev.Report, ev}
		})
}

func (s *server) listShippingNotices(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.NoticeState, error) {
		return s.store.ShippingNotices(c.Query("order"), pg)
	}, func(n inventory.NoticeState) string { return n.Number })
}

func (s *server) getShippingNotice(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "number", s.store.ShippingNotice)
}

// postShippingNotice announces a delivery's pallets (an asn-announced
// event), so the dock receives each by one scan of its SSCC.
func (s *server) postShippingNotice(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvASNAnnounced, "the %s role may not announce shipping notices", http.StatusCreated,
		func(n *inventory.ShippingNotice) inventory.Command { return inventory.Command{Ref: n.Order, Notice: n} },
		func(ev *inventory.Event) any {
			return struct {
				Notice *inventory.ShippingNotice `json:"notice"`
				Event  *inventory.Event          `json:"event"`
			}{ev.Notice, ev}
		})
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
