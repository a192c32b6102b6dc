package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// listReminders is what the depot should act on now: parts that waiting
// work orders can have, overdue transfers, parts at their reorder point.
// ?kind= narrows it to one kind.
func (s *server) listReminders(c *gin.Context, _ *inventory.User) {
	kind := inventory.ReminderKind(c.Query("kind"))
	switch kind {
	case "", inventory.ReminderPartsArrived, inventory.ReminderTransferOverdue, inventory.ReminderReorderPoint,
		inventory.ReminderLotExpiring, inventory.ReminderLotExpired:
	default:
		s.fail(c, apiErr(inventory.CodeInvalid, "kind", "parts-arrived, transfer-overdue, reorder-point, lot-expiring or lot-expired"))
		return
	}
	all, err := s.store.Reminders()
	if err != nil {
		s.fail(c, err)
		return
	}
	items := all[:0]
	for _, r := range all {
		if kind == "" || r.Kind == kind {
			items = append(items, r)
		}
	}
	s.writeJSON(c, http.StatusOK, struct {
		Items []inventory.Reminder `json:"items"`
	}{items})
}
