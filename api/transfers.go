package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func (s *server) listTransfers(c *gin.Context, _ *inventory.User) {
	listPage(s, c, func(pg inventory.Page) ([]inventory.TransferInfo, error) {
		f, differences, err := transferQuery(c)
		if err != nil {
			return nil, err
		}
		return s.transfers(f, differences, pg)
	}, func(t inventory.TransferInfo) string { return t.Number })
}

func (s *server) getTransfer(c *gin.Context, _ *inventory.User) {
	getOne(s, c, "number", s.store.Transfer)
}

// transferBody is POST /transfers: a request for stock from this depot
// (outbound) or, with the sealed shipment, the announcement of an inbound
// one.
type transferBody struct {
	inventory.Transfer
	Shipment *inventory.Shipment `json:"shipment,omitempty"`
}

func (s *server) postTransfer(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(b *transferBody) inventory.Command {
		t := b.Transfer
		cmd := inventory.Command{Type: inventory.EvTransferRequested, Ref: t.Number, Transfer: &t}
		if b.Shipment != nil {
			cmd.Type, cmd.Shipment = inventory.EvTransferAnnounced, b.Shipment
		}
		return cmd
	}, func(res inventory.Result) { s.transferAnswer(c, http.StatusCreated, res.Event) })
}

// transferAnswer is built from the event alone, so a replayed request
// answers exactly as the first one did.
func (s *server) transferAnswer(c *gin.Context, status int, ev inventory.Event) {
	s.writeJSON(c, status, struct {
		Transfer *inventory.Transfer `json:"transfer,omitempty"`
		Shipment *inventory.Shipment `json:"shipment,omitempty"`
		Event    *inventory.Event    `json:"event"`
	}{ev.Transfer, ev.Shipment, &ev})
}

type noteBody struct {
	Note string `json:"note"`
}

func (s *server) approveTransfer(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(b *noteBody) inventory.Command {
		return inventory.Command{Type: inventory.EvTransferApproved, Ref: c.Param("number"), Note: b.Note}
	}, func(res inventory.Result) { s.transferAnswer(c, http.StatusOK, res.Event) })
}

type shipBody struct {
	// CompanyPrefix is the GS1 company prefix of the SSCC; the depot's
	// setting when empty.
	CompanyPrefix  string `json:"companyPrefix"`
	ExtensionDigit int    `json:"extensionDigit"`
	Note           string `json:"note"`
}

// shipTransfer seals what was picked: the store assigns the SSCC and the
// answer is the shipment manifest to send to the destination.
func (s *server) shipTransfer(c *gin.Context, u *inventory.User) {
	// The role first: a caller who may not seal learns that, not what a
	// seal would need.
	if !s.perms.mayPost(u.Role, inventory.EvTransferDispatched) {
		refuse(c, CodeForbidden, "", "the %s role may not seal transfers", u.Role)
		return
	}
	var b shipBody
	if !s.decode(c, &b) {
		return
	}
	if b.CompanyPrefix == "" {
		b.CompanyPrefix = s.gs1Prefix
	}
	if b.CompanyPrefix == "" {
		s.fail(c, apiErr(inventory.CodeInvalid, "companyPrefix", "is required: this depot has no GS1 company prefix set"))
		return
	}
	res, ok := s.append(c, u, inventory.Command{Type: inventory.EvTransferDispatched, Ref: c.Param("number"), Note: b.Note,
		Shipment: &inventory.Shipment{CompanyPrefix: b.CompanyPrefix, ExtensionDigit: b.ExtensionDigit}})
	if !ok {
		return
	}
	t, err := s.store.Transfer(res.Event.Ref)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, manifestOf(t, res.Event))
}

// Manifest is what the source sends the destination: the transfer and the
// sealed shipment, in the very shape POST /transfers takes to announce it.
type Manifest struct {
	inventory.Transfer
	Shipment *inventory.Shipment `json:"shipment"`
	Event    *inventory.Event    `json:"event,omitempty"`
}

func manifestOf(t inventory.TransferInfo, ev inventory.Event) Manifest {
	tr := inventory.Transfer{Number: t.Number, From: t.From, To: t.To, Expected: t.Expected}
	for _, l := range t.Lines {
		tr.Lines = append(tr.Lines, inventory.TransferLine{SKU: l.SKU, Qty: l.Requested})
	}
	return Manifest{Transfer: tr, Shipment: ev.Shipment, Event: &ev}
}

// receiveBody closes the receipt of an inbound transfer: damaged units
// move from transit to the quarantine or defective location named.
type receiveBody struct {
	Note    string         `json:"note"`
	Damaged []damagedUnits `json:"damaged"`
}

type damagedUnits struct {
	SKU     string   `json:"sku"`
	Qty     int64    `json:"qty"`
	Lot     string   `json:"lot,omitempty"`
	Serials []string `json:"serials,omitempty"`
	To      string   `json:"to"`
}

func (s *server) receiveTransfer(c *gin.Context, u *inventory.User) {
	postBody(s, c, u, func(b *receiveBody) inventory.Command {
		number := c.Param("number")
		cmd := inventory.Command{Type: inventory.EvTransferClosed, Ref: number, Note: b.Note}
		for _, d := range b.Damaged {
			cmd.Lines = append(cmd.Lines, inventory.Line{SKU: d.SKU, Qty: d.Qty, Lot: d.Lot, Serials: d.Serials,
				From: inventory.TransitLocation(number), To: d.To})
		}
		return cmd
	}, func(res inventory.Result) {
		s.writeJSON(c, http.StatusOK, struct {
			Report *inventory.TransferReport `json:"report"`
			Event  *inventory.Event          `json:"event"`
		}{res.Event.TransferReport, &res.Event})
	})
}

type writeOffBody struct {
	Reason string `json:"reason"`
}

// writeOffTransfer writes off what a received transfer still has in
// transit: a scrap from its transit location with Ref T and the reason.
// Only roles allowed to write off may, whatever scraps they may post else.
func (s *server) writeOffTransfer(c *gin.Context, u *inventory.User) {
	if !mayWriteOff(u.Role) {
		refuse(c, CodeForbidden, "", "the %s role may not write off stock in transit", u.Role)
		return
	}
	var b writeOffBody
	if !s.decode(c, &b) {
		return
	}
	if strings.TrimSpace(b.Reason) == "" {
		s.fail(c, apiErr(inventory.CodeInvalid, "reason", "is required: say why the stock is written off"))
		return
	}
	number := c.Param("number")
	cmd := inventory.Command{Type: inventory.EvScrap, Ref: number, Note: b.Reason}
	if key := c.Request.Header.Get("Idempotency-Key"); key != "" {
		// A retry after the write-off closed the transfer has no lines left;
		// answer it from the first write-off.
		if ev, ok := s.replayedWriteOff(number, key, u.Name); ok {
			c.Header("Idempotent-Replayed", "true")
			s.writeJSON(c, http.StatusOK, eventAnswer(&ev))
			return
		}
	}
	lines, err := s.store.WriteOffLines(number)
	if err != nil {
		s.fail(c, err)
		return
	}
	cmd.Lines = lines
	res, ok := s.appendAs(c, u, cmd)
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, eventAnswer(&res.Event))
}

// replayedWriteOff finds the write-off the same caller made with key.
func (s *server) replayedWriteOff(number, key, actor string) (inventory.Event, bool) {
	t, err := s.store.Transfer(number)
	if err != nil || t.Status != inventory.TransferClosed || t.ClosedSeq == 0 {
		return inventory.Event{}, false
	}
	ev, err := s.store.Event(t.ClosedSeq)
	if err != nil || ev.Type != inventory.EvScrap || ev.IdempotencyKey != key || ev.Actor != actor {
		return inventory.Event{}, false
	}
	return ev, true
}

// appendAs appends a command whose permission the handler decided itself.
func (s *server) appendAs(c *gin.Context, u *inventory.User, cmd inventory.Command) (inventory.Result, bool) {
	res, err := s.commit(c, u, cmd)
	if err != nil {
		s.fail(c, err)
		return res, false
	}
	return res, true
}

// transferLabel prints the shipment's SSCC label: the GS1-128 element
// string, or a ZPL II label for Zebra printers.
func (s *server) transferLabel(c *gin.Context, _ *inventory.User) {
	t, err := s.store.Transfer(c.Param("number"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if t.SSCC == "" {
		s.fail(c, apiErrf(inventory.CodeTransferState, "number", "transfer %s has no sealed shipment yet", t.Number))
		return
	}
	switch c.DefaultQuery("format", "zpl") {
	case "zpl":
		c.Data(http.StatusOK, "application/x-zpl; charset=utf-8", []byte(ZPLLabel(t)))
	case "gs1":
		s.writeJSON(c, http.StatusOK, struct {
			SSCC          string `json:"sscc"`
			ElementString string `json:"elementString"`
			HRI           string `json:"hri"`
		}{t.SSCC, GS1ElementString(t.SSCC), "(00)" + t.SSCC})
	default:
		s.fail(c, apiErr(inventory.CodeInvalid, "format", "zpl or gs1"))
	}
}

// isTransitWriteOff: a scrap out of the transit location of the transfer
// its ref names. Known from the command alone, so it is refused before the
// store is asked.
func isTransitWriteOff(cmd inventory.Command) bool {
	if cmd.Type != inventory.EvScrap || cmd.Ref == "" {
		return false
	}
	for _, l := range cmd.Lines {
		if l.From == inventory.TransitLocation(cmd.Ref) {
			return true
		}
	}
	return false
}
