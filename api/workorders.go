package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listWorkOrders(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.WorkOrderState, error) {
		f := inventory.WOFilter{Status: inventory.WOStatus(c.Query("status")), Engineer: c.Query("engineer")}
		if f.Status != "" && f.Status != inventory.WOOpen && f.Status != inventory.WOClosed {
			return nil, apiErr(inventory.CodeInvalid, "status", "open or closed")
		}
		return s.store.WorkOrders(f, pg)
	}, func(o inventory.WorkOrderState) string { return o.Number })
}

// workOrderView is a work order with the successors offered for lines
// whose own part is out (by line number) and the returns that did not
// match what it issued.
type workOrderView struct {
	inventory.WorkOrderState
	Substitutes map[int]inventory.Substitute `json:"substitutes"`
	Mismatches  []inventory.WOReturn         `json:"mismatches"`
}

func (s *server) getWorkOrder(c *gin.Context, _ *inventory.User) {
	o, err := s.store.WorkOrder(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	subs, err := s.store.Substitutes(o)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := workOrderView{WorkOrderState: o, Substitutes: subs, Mismatches: []inventory.WOReturn{}}
	for _, r := range o.Returns {
		if r.Mismatch != "" {
			v.Mismatches = append(v.Mismatches, r)
		}
	}
	s.writeJSON(c, http.StatusOK, v)
}

func (s *server) getPickList(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "number", s.store.PickList)
}

func (s *server) postWorkOrder(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvWOCreated, "the %s role may not create work orders", http.StatusCreated,
		func(o *inventory.WorkOrder) inventory.Command { return inventory.Command{Ref: o.Number, WorkOrder: o} },
		func(ev *inventory.Event) any {
			// The reservations are the event's lines: what the store chose.
			return struct {
				WorkOrder    *inventory.WorkOrder `json:"workOrder"`
				Reservations []inventory.Line     `json:"reservations"`
				Event        *inventory.Event     `json:"event"`
			}{ev.WorkOrder, nonNil(ev.Lines), ev}
		})
}

// closeWorkOrder ends picking; the event releases what is still reserved.
func (s *server) closeWorkOrder(c *gin.Context, u *inventory.User) {
	postDocument(s, c, u, inventory.EvWOClosed, "the %s role may not close work orders", http.StatusOK,
		func(b *closeBody) inventory.Command { return inventory.Command{Ref: c.Param("number"), Note: b.Note} },
		func(ev *inventory.Event) any {
			return struct {
				Released []inventory.Line `json:"released"`
				Event    *inventory.Event `json:"event"`
			}{nonNil(ev.Lines), ev}
		})
}

func nonNil(l []inventory.Line) []inventory.Line {
	if l == nil {
		return []inventory.Line{}
	}
	return l
}

// postIssue books a pick against a work order: the store plans where the
// units come from (the order's reservation first) and the issue event
// carries it. The plan depends on the stock at the time, so a retry is
// never re-planned: it is answered from the API's answer cache
// (remembered) or, after a restart, from the store's idempotency record.
func (s *server) postIssue(c *gin.Context, u *inventory.User, raw []byte) (int, any, error) {
	if !s.perms.mayPost(u.Role, inventory.EvIssue) {
		return 0, nil, apiErrf(CodeForbidden, "", "the %s role may not issue parts", u.Role)
	}
	var req inventory.PickRequest
	if err := s.decodeOptional(raw, &req); err != nil {
		return 0, nil, err
	}
	if req.WorkOrder == "" || req.SKU == "" {
		return 0, nil, apiErr(inventory.CodeInvalid, "workOrder", "workOrder and sku are required")
	}
	if req.Qty < 0 || req.Qty > inventory.MaxQuantity {
		return 0, nil, apiErr(inventory.CodeInvalid, "qty", "must be between 1 and 1000000000")
	}
	// The answer cache forgets on restart; the store's record does not.
	// A key the store knows answers with its event, not with a new plan.
	key := c.Request.Header.Get("Idempotency-Key")
	if key != "" {
		ev, ok, err := s.store.IdempotentEvent(u.Name, key)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			if ev.Type != inventory.EvIssue || ev.Ref != req.WorkOrder || len(ev.Lines) == 0 || ev.Lines[0].SKU != req.SKU {
				return 0, nil, apiErrf(inventory.CodeIdempotencyReuse, "Idempotency-Key",
					"this key was already used for a different request (event %d)", ev.Seq)
			}
			c.Header("Idempotent-Replayed", "true")
			return http.StatusCreated, eventAnswer(&ev), nil
		}
	}
	cmd, err := s.store.PlanPick(req)
	if err != nil {
		return 0, nil, err
	}
	cmd.Actor, cmd.IdempotencyKey = u.Name, key
	res, err := s.store.Append(c.Request.Context(), cmd)
	if err != nil {
		return 0, nil, err
	}
	s.metrics.events.WithLabelValues(string(res.Event.Type)).Inc()
	return http.StatusCreated, eventAnswer(&res.Event), nil
}

// returnBody is parts coming back against a work order.
type returnBody struct {
	WorkOrder string   `json:"workOrder"`
	SKU       string   `json:"sku"`
	Qty       int64    `json:"qty"`
	Lot       string   `json:"lot,omitempty"`
	Serials   []string `json:"serials,omitempty"`
	Condition string   `json:"condition"` // good | defective
	To        string   `json:"to"`        // a stock bin for good parts, a defective location for old ones
	Note      string   `json:"note,omitempty"`
}

// postReturn books a return against a work order. The command follows
// from the body alone, so the store's own idempotency answers a retry.
func (s *server) postReturn(c *gin.Context, u *inventory.User) {
	if !s.perms.mayPost(u.Role, inventory.EvReturn) {
		refuse(c, CodeForbidden, "", "the %s role may not book returns", u.Role)
		return
	}
	var b returnBody
	if !s.decode(c, &b) {
		return
	}
	if b.WorkOrder == "" {
		s.fail(c, apiErr(inventory.CodeInvalid, "workOrder", "is required: returns are checked against what the work order issued"))
		return
	}
	if _, err := s.store.WorkOrder(b.WorkOrder); err != nil {
		s.fail(c, err)
		return
	}
	if b.Qty == 0 {
		b.Qty = int64(max(len(b.Serials), 1))
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvReturn, Ref: b.WorkOrder, Note: b.Note,
		Lines: []inventory.Line{{SKU: b.SKU, Qty: b.Qty, Lot: b.Lot, Serials: b.Serials, Condition: b.Condition, To: b.To}}})
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusCreated, struct {
		Mismatch string           `json:"mismatch,omitempty"`
		Event    *inventory.Event `json:"event"`
	}{res.Event.Lines[0].Mismatch, &res.Event})
}

// listReturnMismatches is every defective return that did not match what
// its work order issued: the supplier claim's exceptions.
func (s *server) listReturnMismatches(c *gin.Context, _ *inventory.User) {
	items, err := s.store.ReturnMismatches()
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, struct {
		Items []inventory.ReturnMismatch `json:"items"`
	}{items})
}
